/* A per-thread cache of whole list responses, each valid exactly as long as
 * the database has not changed (store/db.h db_data_version): the Calls table's
 * first page, polled by every open browser, is served without touching SQL
 * until a write lands (or, for answers that read the clock, until the clock
 * could change them). Nothing is shared between threads, so nothing is locked. */
#ifndef SB_API_PAGE_CACHE_H
#define SB_API_PAGE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A copy (caller frees) of the body cached under key for this version, or
 * NULL; also NULL once now (ms) has reached the entry's valid_until. */
char *page_cache_get(const char *key, uint64_t version, int64_t now, size_t *len);
/* Caches body (copied) under key for version until valid_until (ms; INT64_MAX:
 * as long as the version holds, for answers that do not depend on the clock).
 * Bodies over 512 KiB are not kept. */
void page_cache_put(const char *key, uint64_t version, int64_t valid_until, const char *body, size_t len);

#endif
