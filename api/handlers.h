/*
 * handlers.h: the prototypes of every route handler, made from routes.def. Each handler file
 * includes this so that its handlers are declared exactly as the table uses them.
 */
#ifndef GAVEL_API_HANDLERS_H
#define GAVEL_API_HANDLERS_H

#include "api/http.h"

#define API_ROUTE(method, pattern, handler, flags) int handler(struct api_req *req);
#include "api/routes.def"
#undef API_ROUTE

#endif
