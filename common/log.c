/*
 * log.c: the line format of log.h, "2026-01-02T03:04:05.678Z gavel-api INFO message".
 */
#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char *log_program = "gavel";
static enum log_level log_min = LOG_INFO;

static const char *const level_names[] = {"DEBUG", "INFO", "WARN", "ERROR"};

void log_init(const char *program, enum log_level level)
{
    const char *env = getenv("GAVEL_LOG_LEVEL");

    log_program = program;
    log_min = level;
    if (!env)
        return;
    for (int i = LOG_DEBUG; i <= LOG_ERROR; i++)
        if (strcasecmp(env, level_names[i]) == 0 || (i == LOG_WARN && !strcasecmp(env, "warning")))
            log_min = (enum log_level)i;
}

int log_enabled(enum log_level level)
{
    return level >= log_min;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    char line[2048];
    struct timespec ts;
    struct tm tm;
    size_t n;
    va_list ap;

    if (!log_enabled(level))
        return;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
    n += (size_t)snprintf(line + n, sizeof(line) - n, ".%03ldZ %s %s ", ts.tv_nsec / 1000000,
                          log_program, level_names[level]);
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
    va_end(ap);
    if (m < 0)
        m = 0;
    n += (size_t)m;
    if (n > sizeof(line) - 2)
        n = sizeof(line) - 2; /* truncated: keep the line and its newline */
    line[n++] = '\n';
    (void)!write(STDERR_FILENO, line, n);
}
