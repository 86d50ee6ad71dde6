/*
 * callbacks.h: POSTing a finished run or submission to the callback_url its author gave.
 *
 * The rows live in the callbacks table (migrations/180_callbacks.sql): created with the run or
 * submission, made due by a trigger when the result becomes final. Sender threads, each with
 * its own database connection, claim due rows (FOR UPDATE SKIP LOCKED: several API processes
 * share the work), POST the resource as its author's GET shows it, and record the outcome;
 * a failure is retried with doubling waits until GAVEL_CALLBACK_MAX_S has passed since the
 * result, then the delivery is failed. A claimed row is leased for the attempt's time-out and
 * a margin, so a process that dies mid-attempt leaves it to the next sender.
 *
 * Each POST carries `Gavel-Signature: t=UNIX_SECONDS,v1=HEX`, HEX being HMAC-SHA256 keyed by
 * GAVEL_CALLBACK_SECRET over t + "." + body. Only addresses GAVEL_CALLBACK_ALLOW lets through
 * are connected to, checked on the address actually connected to (after DNS): loopback,
 * private, link-local, multicast and unspecified addresses (and their IPv4-mapped forms) only
 * when listed by address or block; proxies are never used and redirects never followed.
 *
 * Settings (environment, or the same names as gavel-api flags):
 *   GAVEL_CALLBACK_SECRET      the HMAC key; without it callback_url is refused (400)
 *   GAVEL_CALLBACK_ALLOW       comma-separated host names (exact, or *.example.org), addresses,
 *                              CIDR blocks, and `*` for any public address (the default: `*`)
 *   GAVEL_CALLBACK_BACKOFF_MS  wait before the first retry, doubled each time (1000; at most
 *                              10 minutes between tries)
 *   GAVEL_CALLBACK_MAX_S       retries stop this long after the result (3600)
 *   GAVEL_CALLBACK_TIMEOUT_MS  one attempt, connection included (10000)
 *   GAVEL_CALLBACK_SENDERS     sender threads of this process (2)
 */
#ifndef GAVEL_API_CALLBACKS_H
#define GAVEL_API_CALLBACKS_H

struct api_callbacks;
struct api_req;

/* Reads the settings above. Returns 0, or -EINVAL (logged) for a bad setting. */
int api_callbacks_new(const char *conninfo, struct api_callbacks **ret);
/* Starts the senders (after curl_global_init, done here too). */
int api_callbacks_start(struct api_callbacks *cb);
/* Stops the senders: an attempt under way is cut short and left due at once. */
void api_callbacks_shutdown(struct api_callbacks *cb);
void api_callbacks_free(struct api_callbacks *cb);

/* For a POST that names url: 0 when it may be taken, else the 400 (naming callback_url)
 * already answered: callbacks not configured, not an http(s) URL, user or password in it, no
 * host, or a host that is an address GAVEL_CALLBACK_ALLOW does not let through. A host name
 * is checked at delivery, on the addresses it then resolves to. */
int api_callback_url_check(struct api_req *req, const char *url);

#endif
