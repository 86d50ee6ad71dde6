/*
 * daemon.h: the gavel-judge service loop: workers that claim, judge and record, until stopped.
 *
 *     struct judge_daemon_config cfg = {.database_url = url, .data_dir = "./var", .workers = 2};
 *     return judge_daemon_run(&cfg) < 0;   // returns at SIGTERM or SIGINT
 *
 * judge_daemon_run blocks SIGTERM and SIGINT in the calling thread (call it before starting
 * any other thread) and returns 0 after a clean stop: every worker has finished or released
 * its job. It fails early, with a negative errno and a logged reason, when the database cannot
 * be reached or a sandbox box cannot be created.
 */
#ifndef GAVEL_JUDGE_DAEMON_H
#define GAVEL_JUDGE_DAEMON_H

#include <stdint.h>

struct judge_daemon_config {
    const char *database_url;
    const char *data_dir; /* created when missing */
    int workers;          /* >= 1 */
    int lease_s;          /* lease of a claim; 0 = 30 s. Heartbeats every third of it */
    int poll_ms;          /* the slow poll behind LISTEN; 0 = 5000 */
    uint64_t output_kb;   /* cap on a test's output; 0 = 64 MiB */
    unsigned work_mb;     /* size of each worker's program folder (a tmpfs); 0 = 512 MiB */
    uint64_t cache_mb;    /* cap on the test-data cache's disk space; 0 = 4096 MiB */
    int prune_s;          /* the caches are pruned at start and then this often; 0 = 300 */
};

int judge_daemon_run(const struct judge_daemon_config *cfg) __attribute__((warn_unused_result));

#endif
