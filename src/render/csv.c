/* CSV writer for exports (see csv.h). */
#include "render/csv.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

static bool formula_start(unsigned char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

void render_csv_cell(FILE *f, const char *s, size_t len)
{
	bool quote = false;
	for (size_t i = 0; i < len && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
	if (quote)
		putc_unlocked('"', f);
	if (len && formula_start((unsigned char)s[0]))
		putc_unlocked('\'', f);
	if (!quote) {
		fwrite_unlocked(s, 1, len, f);
		return;
	}
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"') {
			fwrite_unlocked(s + start, 1, i - start + 1, f);
			putc_unlocked('"', f);
			start = i + 1;
		}
	}
	fwrite_unlocked(s + start, 1, len - start, f);
	putc_unlocked('"', f);
}

void render_csv_header(FILE *f, const int *cols, int n)
{
	for (int i = 0; i < n; i++) {
		if (i)
			putc_unlocked(',', f);
		render_csv_cell(f, export_cols[cols[i]].name, strlen(export_cols[cols[i]].name));
	}
	fputs_unlocked("\r\n", f);
}

/* Writes v as exactly n digits at p. */
static void digits(char *p, int v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* Formatted by hand: snprintf was a tenth of a million-row export. */
void render_time_local(const struct tz *zone, int64_t ms, char *out, size_t n)
{
	struct tz_civil c;
	tz_civil_at(zone, ms, &c);
	int32_t off = tz_offset_at(zone, ms, NULL);
	char sign = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	int milli = (int)(((ms % 1000) + 1000) % 1000);
	if (n < 30 || c.year < 0 || c.year > 9999) {
		snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%c%02d:%02d", c.year, c.month, c.day, c.hour,
			 c.minute, c.second, milli, sign, (int)(off / 3600), (int)(off % 3600 / 60));
		return;
	}
	/* YYYY-MM-DDTHH:MM:SS.mmm+HH:MM */
	memcpy(out, "0000-00-00T00:00:00.000+00:00", 30);
	digits(out, c.year, 4);
	digits(out + 5, c.month, 2);
	digits(out + 8, c.day, 2);
	digits(out + 11, c.hour, 2);
	digits(out + 14, c.minute, 2);
	digits(out + 17, c.second, 2);
	digits(out + 20, milli, 3);
	out[23] = sign;
	digits(out + 24, (int)(off / 3600), 2);
	digits(out + 27, (int)(off % 3600 / 60), 2);
}

/* Decimal of v into the end of buf; returns the start. */
static char *fmt_int(int64_t v, char *buf, size_t n)
{
	char *p = buf + n;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	return p;
}

void render_csv_row(FILE *f, const struct tz *zone, const int *cols, int n, const struct export_cell *cells)
{
	char buf[48];
	for (int i = 0; i < n; i++) {
		if (i)
			putc_unlocked(',', f);
		const struct export_cell *c = &cells[i];
		if (c->null)
			continue;
		switch (export_cols[cols[i]].type) {
		case EXPORT_TEXT:
			render_csv_cell(f, c->text, (size_t)c->len);
			break;
		case EXPORT_INT: {
			char *p = fmt_int(c->i, buf, sizeof buf);
			fwrite_unlocked(p, 1, (size_t)(buf + sizeof buf - p), f);
			break;
		}
		case EXPORT_BOOL:
			fputs_unlocked(c->i ? "true" : "false", f);
			break;
		case EXPORT_TIME:
			render_time_local(zone, c->i, buf, sizeof buf);
			fputs_unlocked(buf, f);
			break;
		}
	}
	fputs_unlocked("\r\n", f);
}

void render_cell_text(const struct tz *zone, int col, const struct export_cell *c, char *out, size_t n)
{
	if (c->null) {
		snprintf(out, n, "%s", "");
		return;
	}
	switch (export_cols[col].type) {
	case EXPORT_TEXT:
		snprintf(out, n, "%.*s", c->len, c->text);
		break;
	case EXPORT_INT:
		snprintf(out, n, "%" PRId64, c->i);
		break;
	case EXPORT_BOOL:
		snprintf(out, n, "%s", c->i ? "yes" : "no");
		break;
	case EXPORT_TIME: {
		struct tz_civil t;
		tz_civil_at(zone, c->i, &t);
		snprintf(out, n, "%04d-%02d-%02d %02d:%02d", t.year, t.month, t.day, t.hour, t.minute);
		break;
	}
	}
}
