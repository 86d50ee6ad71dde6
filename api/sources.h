/*
 * sources.h: a submission's or run's source and files as a reader gets them, exactly.
 *
 * A source sent in base64 that is not UTF-8 is stored twice (migration 195): its exact bytes
 * (submissions.source_bytes, a file's "content_base64") and a text copy with U+FFFD for each
 * bad byte (source, a file's "content"). A read in UTF-8 shows the copy and names the field in
 * "not_utf8"; a read with ?encoding=base64 gives the exact bytes in base64.
 *
 *     uint64_t lossy = 0;
 *     api_json_key(j, "files");
 *     r = api_json_files(j, PQgetvalue(res, 0, col), b64, &lossy);
 *     ...
 *     api_json_not_utf8(j, names, n, lossy);
 */
#ifndef GAVEL_API_SOURCES_H
#define GAVEL_API_SOURCES_H

#include <libpq-fe.h>
#include <stdint.h>

#include "api/json.h"

/* The source of row 0 of res: text column text, or the bytea column bytes when it is not NULL,
 * as text (*ret_lossy set when it was not UTF-8) or, with b64, in base64. -ENOMEM only. */
int api_json_source(struct api_json *j, const PGresult *res, int text, int bytes, int b64,
                    int *ret_lossy);

/* The files of a submission or run, their stored JSON array files_json, as an array of
 * {"name", "content"}: each content as text, or with b64 the base64 of its exact bytes. Bit i of
 * *ret_lossy is set when file i's text is a copy of bytes that are not UTF-8. -ENOMEM, or
 * -EINVAL when files_json is not such an array. */
int api_json_files(struct api_json *j, const char *files_json, int b64, uint64_t *ret_lossy);

/* "not_utf8": the n fields named (NULL ones skipped), then "files[i].content" for each bit of
 * files_lossy: those whose bytes were not all UTF-8 and were shown with U+FFFD. */
void api_json_not_utf8(struct api_json *j, const char *const *names, int n, uint64_t files_lossy);

#endif
