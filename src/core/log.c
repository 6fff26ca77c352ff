/* JSON-lines logger on stderr. The level is set once before threads start;
 * the context id is per thread. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/jw.h"

static enum log_level level = LOG_INFO; /* written only at start-up */
static int access_on = 1;               /* written only at start-up */
static _Thread_local const char *context_id;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

int log_level_parse(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

void log_level_set(enum log_level lv) { level = lv; }
void log_access_set(int enabled) { access_on = enabled; }
int log_access_enabled(void) { return access_on; }
void log_context_set(const char *id) { context_id = id; }

void log_line_raw(const char *json, size_t len)
{
	char line[8192];
	if (len >= sizeof line)
		len = sizeof line - 2;
	memcpy(line, json, len);
	line[len] = '\n';
	ssize_t w = write(STDERR_FILENO, line, len + 1);
	(void)w;
}

void log_msg(enum log_level lv, const char *fmt, ...)
{
	if (lv > level)
		return;
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);

	struct jw w;
	jw_init(&w, 512, 8192);
	jw_obj_begin(&w);
	jw_ktime_ms(&w, "ts", clock_real_ms());
	jw_kstr(&w, "level", level_names[lv]);
	if (context_id)
		jw_kstr(&w, "id", context_id);
	jw_kstr(&w, "msg", msg);
	jw_obj_end(&w);
	if (jw_error(&w) == ERR_OK)
		log_line_raw(w.buf, w.len);
	jw_cleanup(&w);
}

char *log_mask_phone(const char *phone, char *out, size_t n)
{
	size_t len = phone ? strlen(phone) : 0;
	if (len <= 6)
		snprintf(out, n, "***");
	else
		snprintf(out, n, "%.*s***%s", 5, phone, phone + len - 4);
	return out;
}

char *log_mask_email(const char *email, char *out, size_t n)
{
	const char *at = email ? strchr(email, '@') : NULL;
	if (!at || at == email)
		snprintf(out, n, "***");
	else
		snprintf(out, n, "%c***%s", email[0], at);
	return out;
}
