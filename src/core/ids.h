/* Identifiers: UUIDv7 (RFC 9562), time-sortable, as 36-char strings. */
#ifndef SB_CORE_IDS_H
#define SB_CORE_IDS_H

#include <stdbool.h>
#include <stdint.h>

#define ID_LEN 36
#define ID_SIZE 37

/* Writes a new UUIDv7 for time ms (epoch milliseconds) into out (ID_SIZE bytes).
 * Ids made by one process within one millisecond still sort in creation order. */
void id_new_at(char out[ID_SIZE], int64_t ms);
/* id_new_at(out, clock_real_ms()). */
void id_new(char out[ID_SIZE]);
/* True when s is a canonical lower-case UUID string (any version). */
bool id_valid(const char *s);
/* The millisecond timestamp of a UUIDv7, or -1. */
int64_t id_time_ms(const char *s);

#endif
