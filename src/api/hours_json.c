/* Business hours as JSON (see hours_json.h). */
#include "api/hours_json.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "domain/sla_policy.h"

/* prefix + name, in r's arena (the name itself when that fails). */
static const char *field(struct req *r, const char *prefix, const char *name)
{
	const char *f = *prefix ? arena_printf(r->arena, "%s%s", prefix, name) : name;
	return f ? f : name;
}

static void write_hhmm(struct jw *w, const char *key, int minutes)
{
	char s[24];
	snprintf(s, sizeof s, "%02d:%02d", minutes / 60 % 100, minutes % 60);
	jw_kstr(w, key, s);
}

void hours_json_write(struct jw *w, const struct business_hours *bh)
{
	jw_kstr(w, "timeZone", tz_name(bh->zone));
	jw_key(w, "days");
	jw_obj_begin(w);
	for (int d = 0; d < 7; d++) {
		jw_key(w, weekday_keys[d]);
		jw_arr_begin(w);
		for (int i = 0; i < bh->ndays[d]; i++) {
			jw_obj_begin(w);
			write_hhmm(w, "open", bh->days[d][i].open_min);
			write_hhmm(w, "close", bh->days[d][i].close_min);
			jw_obj_end(w);
		}
		jw_arr_end(w);
	}
	jw_obj_end(w);
	jw_key(w, "holidays");
	jw_arr_begin(w);
	for (int i = 0; i < bh->nholidays; i++) {
		char iso[32];
		clock_format_rfc3339(bh->holidays[i] * 86400000, iso, sizeof iso);
		jw_strn(w, iso, 10);
	}
	jw_arr_end(w);
}

static bool parse_hhmm(const char *s, int max, int *out)
{
	int h, m, used = 0;
	if (!s || sscanf(s, "%2d:%2d%n", &h, &m, &used) != 2 || s[used] || strlen(s) != 5 || m > 59)
		return false;
	*out = h * 60 + m;
	return *out <= max;
}

static void parse_day(struct req *r, const char *prefix, json_t *list, int d, struct business_hours *bh)
{
	char name[32];
	snprintf(name, sizeof name, "days.%s", weekday_keys[d]);
	if (!json_is_array(list) || json_array_size(list) > SLA_INTERVALS_MAX) {
		err_field_add(&r->err, field(r, prefix, name), "must be a list of at most %d {open, close} intervals",
			      SLA_INTERVALS_MAX);
		return;
	}
	size_t i;
	json_t *iv;
	json_array_foreach(list, i, iv) {
		int open, close;
		json_t *o = json_object_get(iv, "open"), *c = json_object_get(iv, "close");
		if (!json_is_object(iv) || json_object_size(iv) != 2 || !parse_hhmm(json_string_value(o), 23 * 60 + 59, &open) ||
		    !parse_hhmm(json_string_value(c), 24 * 60, &close)) {
			err_field_add(&r->err, field(r, prefix, name), "each interval is {\"open\": \"HH:MM\", \"close\": \"HH:MM\"}");
			return;
		}
		bh->days[d][bh->ndays[d]++] = (struct bh_interval){(int16_t)open, (int16_t)close};
	}
}

static void parse_holidays(struct req *r, const char *prefix, json_t *hol, struct business_hours *bh)
{
	if (!json_is_array(hol)) {
		err_field_add(&r->err, field(r, prefix, "holidays"), "must be a list of dates YYYY-MM-DD");
		return;
	}
	int64_t *days_v = arena_alloc(r->arena, sizeof *days_v * (json_array_size(hol) + 1));
	size_t i;
	json_t *h;
	json_array_foreach(hol, i, h) {
		int64_t ms;
		char iso[40];
		const char *s = json_string_value(h);
		snprintf(iso, sizeof iso, "%sT00:00:00Z", s ? s : "");
		if (!s || strlen(s) != 10 || !clock_parse_rfc3339(iso, &ms) || !days_v) {
			err_field_add(&r->err, field(r, prefix, "holidays"), "must be dates YYYY-MM-DD, in ascending order");
			break;
		}
		days_v[bh->nholidays++] = ms / 86400000;
	}
	bh->holidays = days_v;
}

bool hours_json_parse(struct req *r, json_t *v, const char *prefix, struct business_hours *bh)
{
	int before = r->err.nfields;
	memset(bh, 0, sizeof *bh);
	if (*prefix && !json_is_object(v)) {
		char name[64];
		snprintf(name, sizeof name, "%.*s", (int)strcspn(prefix, "."), prefix);
		err_field_add(&r->err, name, "must be { \"timeZone\", \"days\", \"holidays\"? } or null");
		return false;
	}
	const char *k;
	json_t *x;
	json_object_foreach(v, k, x) {
		if (strcmp(k, "timeZone") && strcmp(k, "days") && strcmp(k, "holidays"))
			err_field_add(&r->err, field(r, prefix, k), "is not a known field");
	}
	json_t *zone = json_object_get(v, "timeZone"), *days = json_object_get(v, "days"),
	       *hol = json_object_get(v, "holidays");
	const char *zs = json_string_value(zone), *zf = field(r, prefix, "timeZone");
	if (!zone || json_is_null(zone))
		err_field_add(&r->err, zf, "is required");
	else if (!zs)
		err_field_add(&r->err, zf, "must be a string");
	else if (!*zs)
		err_field_add(&r->err, zf, "must not be empty");
	else if (json_string_length(zone) > 64 || strlen(zs) != json_string_length(zone))
		err_field_add(&r->err, zf, "must be at most 64 bytes, without NUL characters");
	else if (!(bh->zone = tz_get(zs)))
		err_field_add(&r->err, zf, "is not an IANA time zone such as America/Chicago");
	if (!json_is_object(days)) {
		err_field_add(&r->err, field(r, prefix, "days"),
			      "is required: { \"mon\": [{\"open\": \"08:00\", \"close\": \"17:00\"}], ... }");
	} else {
		json_object_foreach(days, k, x) {
			int d = 0;
			while (d < 7 && strcmp(weekday_keys[d], k))
				d++;
			if (d == 7)
				err_field_add(&r->err, field(r, prefix, "days"),
					      "unknown day '%s' (sun, mon, tue, wed, thu, fri, sat)", k);
			else
				parse_day(r, prefix, x, d, bh);
		}
	}
	if (hol)
		parse_holidays(r, prefix, hol, bh);
	return r->err.nfields == before;
}
