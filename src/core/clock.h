/* Time: the clock business rules read (injectable offset for tests), and
 * RFC 3339 parsing. Times are epoch milliseconds (int64) everywhere. */
#ifndef SB_CORE_CLOCK_H
#define SB_CORE_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Wall clock, epoch ms, unaffected by the test offset (logs). */
int64_t clock_real_ms(void);
/* The clock business rules use: wall clock plus an offset that only tests set. */
int64_t clock_now_ms(void);
/* The same clock in epoch microseconds (pacing sends within a second). */
int64_t clock_now_us(void);
/* Thread-safe (atomic). */
void clock_offset_set(int64_t offset_ms);
int64_t clock_offset_get(void);
/* Sleeps us microseconds (resumed across signals). */
void clock_sleep_us(int64_t us);
/* Monotonic microseconds, for measuring durations. */
int64_t clock_mono_us(void);

/* Parses an RFC 3339 date-time ("2026-11-27T17:13:33Z", fraction and numeric offset allowed,
 * 't'/'z' lower case too, ' ' as separator not). Returns false if s is not one. */
bool clock_parse_rfc3339(const char *s, int64_t *out_ms);
/* Writes "YYYY-MM-DDTHH:MM:SS.mmmZ" into out (at least 25 bytes). */
void clock_format_rfc3339(int64_t ms, char *out, size_t n);
/* Days since 1970-01-01 of a proleptic Gregorian civil date. */
int64_t clock_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
