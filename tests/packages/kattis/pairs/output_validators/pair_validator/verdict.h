// Exit codes of the Kattis output validator interface.
#pragma once
#define ACCEPT 42
#define REJECT 43
