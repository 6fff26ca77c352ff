/* Time zones read from the system zone database (/usr/share/zoneinfo, TZif
 * versions 1 to 4, with the POSIX TZ footer rule for instants past the last
 * transition), without the C library's process-global TZ state: no setenv,
 * tzset or localtime anywhere, so any thread may convert at any time.
 *
 * A struct tz is immutable once loaded and may be shared between threads.
 * Instants are UTC epoch milliseconds; offsets are seconds east of UTC.
 * Every conversion accepts a NULL zone and treats it as UTC. */
#ifndef SB_CORE_TZ_H
#define SB_CORE_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct tz;

/* Civil (wall clock) fields of an instant in a zone. */
struct tz_civil {
	int year;
	int month;   /* 1-12 */
	int day;     /* 1-31 */
	int hour;    /* 0-23 */
	int minute;  /* 0-59 */
	int second;  /* 0-59 */
	int weekday; /* 0 = Sunday */
};

/* Loads an IANA zone by name ("America/New_York", "UTC") from the system
 * database. The caller owns *out and releases it with tz_free.
 * Errors: ERR_INVALID for a name that is empty, longer than 255 bytes,
 * starts with '/', contains "..", a character outside [A-Za-z0-9/_+-.], or
 * names no readable TZif file (not found, a directory, not TZif, corrupt,
 * or a leap-second "right/" file); ERR_IO if the file cannot be read for
 * another reason; ERR_NOMEM. *out is NULL on failure; d (may be NULL) gets a
 * sentence. */
enum err tz_load(const char *name, struct tz **out, struct err_detail *d);

/* Parses a TZif image held in memory (data is only read during the call);
 * name is copied and only reported by tz_name. The caller owns *out.
 * Errors as tz_load, for a malformed image. */
enum err tz_load_data(const char *name, const void *data, size_t len, struct tz **out,
		      struct err_detail *d);

/* Releases a zone from tz_load or tz_load_data. Accepts NULL. Never pass a
 * zone that tz_get returned: the cache owns those. */
void tz_free(struct tz *z);

/* The name the zone was loaded under; borrowed, valid as long as z. "UTC" for NULL. */
const char *tz_name(const struct tz *z);

/* Offset from UTC in seconds east (New York in winter: -18000) in effect at
 * the instant, and whether it is daylight-saving time (is_dst may be NULL). */
int32_t tz_offset_at(const struct tz *z, int64_t utc_ms, bool *is_dst);

/* Civil fields of an instant (milliseconds are dropped, rounding down). */
void tz_civil_at(const struct tz *z, int64_t utc_ms, struct tz_civil *out);

/* The instant at which the zone's wall clock reads the given civil time.
 * Fields out of range are normalised (month 13 is January of the next year,
 * day 0 the last day of the previous month, minute 90 is 01:30).
 * A time in a spring-forward gap is moved forward by the length of the gap
 * (New York 2024-03-10 02:30 gives 03:30 EDT); an ambiguous fall-back time
 * gives the earlier instant (01:30 EDT, not 01:30 EST). */
int64_t tz_local_to_utc(const struct tz *z, int y, int mon, int day, int h, int min, int sec);

/* As tz_local_to_utc, for a wall time given as milliseconds since
 * 1970-01-01T00:00 local (local days * 86400000 + time of day). Values beyond
 * about +-146 million years are clamped. */
int64_t tz_local_ms_to_utc(const struct tz *z, int64_t local_ms);

/* Process-wide cache: the zone by name, loaded on first use and kept until
 * tz_cache_clear (in practice until exit). Returns a borrowed pointer, valid
 * until tz_cache_clear, or NULL if the name is refused or unreadable (failures
 * are not cached, so a bad name costs a file lookup each time). Thread-safe:
 * one mutex guards the cache; lookups after the first load of a zone take it
 * only briefly. */
const struct tz *tz_get(const char *name);

/* Frees every cached zone. Only for tests and exit: pointers tz_get returned
 * before are dangling afterwards, so no other thread may be using them. */
void tz_cache_clear(void);

#endif
