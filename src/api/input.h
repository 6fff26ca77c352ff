/* Typed reads of JSON body fields with per-field errors collected in r->err.
 * Each getter returns true when the field is present and valid (writing *out),
 * false when absent (nothing recorded unless required) or invalid (recorded). */
#ifndef SB_API_INPUT_H
#define SB_API_INPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "http/req.h"

#define INPUT_REQUIRED true
#define INPUT_OPTIONAL false

/* String of 1..max bytes (valid UTF-8, no NUL). *out is arena-owned. */
bool input_str(struct req *r, json_t *obj, const char *key, bool required, size_t max, const char **out);
bool input_int(struct req *r, json_t *obj, const char *key, bool required, int64_t min, int64_t max, int64_t *out);
bool input_bool(struct req *r, json_t *obj, const char *key, bool required, bool *out);
/* RFC 3339 date-time, as epoch ms. */
bool input_time(struct req *r, json_t *obj, const char *key, bool required, int64_t *out);
/* One of a NULL-terminated list of words; *out is the index. */
bool input_enum(struct req *r, json_t *obj, const char *key, bool required, const char *const *words, int *out);
/* Field errors recorded so far: ERR_INVALID if any, else ERR_OK. */
enum err input_result(struct req *r);
/* Rejects keys not in the NULL-terminated allowlist (typos should not pass silently). */
void input_known_keys(struct req *r, json_t *obj, const char *const *keys);

#endif
