/* Twilio's Calls REST resource (the request itself: twilio_rest.h):
 *	POST {base}/2010-04-01/Accounts/{AccountSid}/Calls.json
 *	     To, From, Twiml, StatusCallback, StatusCallbackMethod and
 *	     StatusCallbackEvent (repeated) → 201 Call resource { sid: "CA…" }
 *	GET  {base}/2010-04-01/Accounts/{AccountSid}/Calls.json?To=&From=&PageSize=
 *	     → { calls: [...], next_page_uri } newest first, followed page by page
 *	     (the lookup after an attempt whose outcome is unknown)
 * Timeouts, connection failures, 429 and 5xx are ERR_UPSTREAM (the job queue
 * retries them); any other 4xx is ERR_INVALID (permanent).
 *
 * The lookup filters by To and From only. Twilio's StartTime filters
 * (StartTime, StartTime>, StartTime<: a date in GMT) match a call's
 * start_time, which stays empty until the vendor actually dials: a call still
 * queued behind the account's calls-per-second limit would be left out, and
 * that is exactly the call a retry must not place twice. The window is applied
 * to date_created here instead, and paging stops at the first page reaching
 * calls older than it. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/form.h"
#include "providers/telephony.h"
#include "providers/twilio_rest.h"

#define MAX_ANSWER (1024 * 1024)
#define LOOKUP_PAGE "100"
#define LOOKUP_MAX_PAGES 10
#define LOOKUP_SKEW_MS 120000  /* vendor clock versus ours */

static enum err build_form(struct buf *f, const struct tel_leg *leg)
{
	static const char *const events[] = {"initiated", "ringing", "answered", "completed"};
	enum err rc = form_append(f, "To", leg->to);
	if (rc == ERR_OK)
		rc = form_append(f, "From", leg->from);
	if (rc == ERR_OK)
		rc = form_append(f, "Twiml", leg->twiml);
	if (rc == ERR_OK)
		rc = form_append(f, "StatusCallback", leg->status_url);
	if (rc == ERR_OK)
		rc = form_append(f, "StatusCallbackMethod", "POST");
	for (size_t i = 0; rc == ERR_OK && i < sizeof events / sizeof events[0]; i++)
		rc = form_append(f, "StatusCallbackEvent", events[i]);
	return rc;
}

/* A non-2xx answer, classified. */
static enum err vendor_error(long code, json_t *j, struct err_detail *d)
{
	const char *msg = j ? json_string_value(json_object_get(j, "message")) : NULL;
	if (code == 429 || code >= 500)
		return err_set(d, ERR_UPSTREAM, "twilio: HTTP %ld%s%s", code, msg ? ": " : "", msg ? msg : "");
	json_int_t vcode = j ? json_integer_value(json_object_get(j, "code")) : 0;
	return err_set(d, ERR_INVALID, "twilio: HTTP %ld%s%s (code %lld)", code, msg ? ": " : "", msg ? msg : "",
		       (long long)vcode);
}

static enum err twilio_place(struct telephony *t, const struct tel_leg *leg, char sid[TEL_SID_SIZE],
			     struct err_detail *d)
{
	struct buf body, ans;
	buf_init(&body, 64 * 1024);
	buf_init(&ans, MAX_ANSWER);
	char url[TWILIO_URL_SIZE];
	long code = 0;
	json_t *j = NULL;
	enum err rc = build_form(&body, leg);
	if (rc != ERR_OK) {
		rc = err_set(d, ERR_INVALID, "twilio: leg too large");
		goto out;
	}
	twilio_resource_url(t->cfg, "Calls.json", url, sizeof url);
	if ((rc = twilio_request(t->cfg, url, &body, &ans, &code, d)) != ERR_OK)
		goto out;
	json_error_t je;
	j = ans.len ? json_loadb(ans.data, ans.len, 0, &je) : NULL;
	if (code >= 200 && code < 300) {
		const char *s = j ? json_string_value(json_object_get(j, "sid")) : NULL;
		if (!telephony_sid_valid("CA", s))
			rc = err_set(d, ERR_UPSTREAM, "twilio: HTTP %ld without a call sid", code);
		else
			snprintf(sid, TEL_SID_SIZE, "%s", s);
	} else {
		rc = vendor_error(code, j, d);
	}
out:
	json_decref(j);
	buf_cleanup(&body);
	buf_cleanup(&ans);
	return rc;
}

/* Twilio gives duration as a string of seconds ("12") or null. */
static int64_t duration_of(json_t *call)
{
	json_t *v = json_object_get(call, "duration");
	if (json_is_integer(v))
		return json_integer_value(v);
	const char *s = json_string_value(v);
	char *end;
	long long n = s && *s ? strtoll(s, &end, 10) : -1;
	return n >= 0 && s && !*end ? n : -1;
}

/* Keeps the TEL_LOOKUP_MAX oldest matches of the pages seen so far (pages
 * come newest first): found[] holds them newest first. */
struct found {
	struct tel_call c[TEL_LOOKUP_MAX];
	int n;
};

static void keep(struct found *f, json_t *call, const char *sid, int64_t created)
{
	if (f->n == TEL_LOOKUP_MAX) {
		memmove(&f->c[0], &f->c[1], sizeof f->c[0] * (TEL_LOOKUP_MAX - 1));
		f->n--;
	}
	struct tel_call *c = &f->c[f->n++];
	const char *st = json_string_value(json_object_get(call, "status"));
	snprintf(c->sid, sizeof c->sid, "%s", sid);
	snprintf(c->status, sizeof c->status, "%s", st ? st : "");
	c->duration_sec = duration_of(call);
	c->created_ms = created;
}

/* Scans one page: keeps the API-placed calls from the leg's From to its To
 * created since the window opened; *older once the page reaches calls older. */
static void scan_page(json_t *list, const struct tel_leg *leg, int64_t since_ms, struct found *f, bool *older)
{
	size_t i;
	json_t *call;
	json_array_foreach(list, i, call) {
		const char *sid = json_string_value(json_object_get(call, "sid"));
		int64_t created = twilio_time_ms(json_string_value(json_object_get(call, "date_created")));
		if (created >= 0 && created < since_ms - LOOKUP_SKEW_MS) {
			*older = true;
			continue;
		}
		if (created >= 0 && telephony_sid_valid("CA", sid) && twilio_json_is(call, "to", leg->to) &&
		    twilio_json_is(call, "from", leg->from) && twilio_json_is(call, "direction", "outbound-api"))
			keep(f, call, sid, created);
	}
}

static enum err twilio_lookup(struct telephony *t, const struct tel_leg *leg, int64_t since_ms,
			      struct tel_call out[TEL_LOOKUP_MAX], int *n, struct err_detail *d)
{
	struct buf q, ans;
	buf_init(&q, 4096);
	buf_init(&ans, MAX_ANSWER);
	char base[1024], url[TWILIO_URL_SIZE];
	json_t *j = NULL;
	struct found f = {.n = 0};
	*n = 0;
	enum err rc = form_append(&q, "To", leg->to);
	if (rc == ERR_OK)
		rc = form_append(&q, "From", leg->from);
	if (rc == ERR_OK)
		rc = form_append(&q, "PageSize", LOOKUP_PAGE);
	if (rc != ERR_OK)
		goto out;
	twilio_resource_url(t->cfg, "Calls.json", base, sizeof base);
	snprintf(url, sizeof url, "%s?%s", base, buf_cstr(&q));
	for (int page = 0; page < LOOKUP_MAX_PAGES; page++) {
		long code = 0;
		ans.len = 0;
		json_decref(j);
		j = NULL;
		if ((rc = twilio_request(t->cfg, url, NULL, &ans, &code, d)) != ERR_OK)
			break;
		json_error_t je;
		j = ans.len ? json_loadb(ans.data, ans.len, 0, &je) : NULL;
		if (code < 200 || code >= 300) {
			vendor_error(code, j, d);
			rc = ERR_UPSTREAM; /* a lookup we cannot make is no proof of absence */
			break;
		}
		json_t *list = json_object_get(j, "calls");
		if (!json_is_array(list)) {
			rc = err_set(d, ERR_UPSTREAM, "twilio: call list without calls");
			break;
		}
		bool older = false;
		scan_page(list, leg, since_ms, &f, &older);
		const char *next = json_string_value(json_object_get(j, "next_page_uri"));
		if (older || !next || !*next)
			break;
		if (page == LOOKUP_MAX_PAGES - 1)
			rc = err_set(d, ERR_UPSTREAM, "twilio: more than %d pages of calls to look through", LOOKUP_MAX_PAGES);
		else
			twilio_page_url(t->cfg, next, url, sizeof url);
	}
	for (int i = 0; rc == ERR_OK && i < f.n; i++) /* oldest first */
		out[i] = f.c[f.n - 1 - i];
	if (rc == ERR_OK)
		*n = f.n;
out:
	json_decref(j);
	buf_cleanup(&q);
	buf_cleanup(&ans);
	return rc;
}

static void twilio_free(struct telephony *t)
{
	free(t);
}

enum err telephony_twilio_open(const struct config *cfg, struct telephony **out, struct err_detail *d)
{
	if (!cfg->twilio_account_sid || !cfg->twilio_account_sid[0] || !cfg->twilio_auth_token ||
	    !cfg->twilio_auth_token[0])
		return err_set(d, ERR_INVALID,
			       "telephony twilio needs SWITCHBOARD_TWILIO_ACCOUNT_SID and SWITCHBOARD_TWILIO_AUTH_TOKEN");
	if (!cfg->twilio_base_url || strncmp(cfg->twilio_base_url, "http", 4) != 0)
		return err_set(d, ERR_INVALID, "telephony twilio: SWITCHBOARD_TWILIO_BASE_URL must be an http(s) URL");
	struct telephony *t = calloc(1, sizeof *t);
	if (!t)
		return ERR_NOMEM;
	t->name = "twilio";
	t->place = twilio_place;
	t->lookup = twilio_lookup;
	t->free = twilio_free;
	t->cfg = cfg;
	*out = t;
	return ERR_OK;
}
