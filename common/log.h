/*
 * log.h: one line per event on stderr, with a time, a level and the program's name.
 *
 * Every Gavel program logs the same way so that the output of `./gavel.sh run` reads as one
 * stream. Library code logs at LOG_DEBUG at most; the daemon loops and the HTTP handlers log
 * each error once, where it is handled. Never log secrets or submitted source.
 *
 *     log_init("gavel-judge", LOG_INFO);
 *     log_msg(LOG_WARN, "lease of submission %lld lost", id);
 *
 * The level is read from GAVEL_LOG_LEVEL (debug, info, warn, error) when log_init is called,
 * which overrides the default given. Thread-safe: each line is written with one write(2).
 */
#ifndef GAVEL_COMMON_LOG_H
#define GAVEL_COMMON_LOG_H

enum log_level { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 };

/* Sets the program name shown on each line and the lowest level printed. */
void log_init(const char *program, enum log_level level);

/* Logs one line (a trailing newline is added); lines below the set level are dropped. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True when a line of this level would be printed: lets callers skip costly formatting. */
int log_enabled(enum log_level level);

#endif
