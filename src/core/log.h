/* Logging: one JSON object per line on stderr. Each line carries the id of the
 * request or job the calling thread is working for (log_context_set). */
#ifndef SB_CORE_LOG_H
#define SB_CORE_LOG_H

#include <stddef.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Set once at start-up, before threads start. Unknown name -> -1. */
int log_level_parse(const char *name);
void log_level_set(enum log_level lv);
/* Access lines can be turned off (benchmarks); set once at start-up. */
void log_access_set(int enabled);
int log_access_enabled(void);

/* The id (request or job) that this thread's lines carry; borrowed, NULL clears. */
void log_context_set(const char *id);

void log_msg(enum log_level lv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Writes a pre-built JSON line (no newline in it) with one write(2). */
void log_line_raw(const char *json, size_t len);

/* Masking for personal data: "+15551234567" -> "+1555***4567"; "ann@x.com" -> "a***@x.com".
 * Write into out (size n); returns out. */
char *log_mask_phone(const char *phone, char *out, size_t n);
char *log_mask_email(const char *email, char *out, size_t n);

#endif
