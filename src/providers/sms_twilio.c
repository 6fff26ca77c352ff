/* Twilio's Messages REST resource (the request itself: twilio_rest.h):
 *	POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json
 *	     To, From, Body, StatusCallback  → 201 Message resource { sid: "SM…", status: "queued" }
 *	GET  {base}/2010-04-01/Accounts/{AccountSid}/Messages.json?To=&From=&PageSize=
 *	     → { messages: [...], next_page_uri } newest first, followed page by page
 *	     (the lookup after an attempt whose outcome is unknown: the message
 *	     with our to, from and body that no other message of ours owns,
 *	     created closest after our first attempt)
 *	GET  {base}/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json
 *	     → 200 Message resource { status, error_code, num_segments, price,
 *	     date_sent } (the reconcile of a receipt we missed), 404 when unknown
 * Timeouts, connection failures, 429 and 5xx are ERR_UPSTREAM (the job queue
 * retries them), and so are 401, 403 and 404 on a send: the credentials or
 * the account are refused, which an operator fixes (then the queued messages
 * go); any other 4xx is ERR_INVALID with the vendor's error code (21211: not
 * a valid number, 21610: the recipient has opted out). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/form.h"
#include "providers/sms.h"
#include "providers/telephony.h"
#include "providers/twilio_rest.h"

#define MAX_ANSWER (1024 * 1024)
#define LOOKUP_PAGE "1000"   /* the most Twilio gives per page */
#define LOOKUP_MAX_PAGES 20
#define LOOKUP_SKEW_MS 120000  /* vendor clock versus ours */

/* A non-2xx answer, classified. */
static enum err vendor_error(long code, json_t *j, int *vendor_code, struct err_detail *d)
{
	const char *msg = j ? json_string_value(json_object_get(j, "message")) : NULL;
	json_int_t vcode = j ? json_integer_value(json_object_get(j, "code")) : 0;
	if (code == 429 || code >= 500)
		return err_set(d, ERR_UPSTREAM, "twilio: HTTP %ld%s%s", code, msg ? ": " : "", msg ? msg : "");
	if (code == 401 || code == 403 || code == 404) /* configuration, not this message: retried */
		return err_set(d, ERR_UPSTREAM,
			       "twilio: HTTP %ld%s%s (code %lld): the account SID, auth token or base URL is refused",
			       code, msg ? ": " : "", msg ? msg : "", (long long)vcode);
	*vendor_code = (int)vcode;
	return err_set(d, ERR_INVALID, "twilio: HTTP %ld%s%s (code %lld)", code, msg ? ": " : "", msg ? msg : "",
		       (long long)vcode);
}

static enum err twilio_send(struct sms_provider *p, const struct sms_out *m, char sid[SMS_SID_SIZE], int *vendor_code,
			    struct err_detail *d)
{
	struct buf body, ans;
	buf_init(&body, 64 * 1024);
	buf_init(&ans, MAX_ANSWER);
	char url[TWILIO_URL_SIZE];
	long code = 0;
	json_t *j = NULL;
	*vendor_code = 0;
	enum err rc = form_append(&body, "To", m->to);
	if (rc == ERR_OK)
		rc = form_append(&body, "From", m->from);
	if (rc == ERR_OK)
		rc = form_append(&body, "Body", m->body);
	if (rc == ERR_OK && m->status_url)
		rc = form_append(&body, "StatusCallback", m->status_url);
	if (rc != ERR_OK) {
		rc = err_set(d, ERR_INVALID, "twilio: message too large");
		goto out;
	}
	twilio_resource_url(p->cfg, "Messages.json", url, sizeof url);
	if ((rc = twilio_request(p->cfg, url, &body, &ans, &code, d)) != ERR_OK)
		goto out;
	json_error_t je;
	j = ans.len ? json_loadb(ans.data, ans.len, 0, &je) : NULL;
	if (code >= 200 && code < 300) {
		const char *s = j ? json_string_value(json_object_get(j, "sid")) : NULL;
		if (!telephony_sid_valid("SM", s) && !telephony_sid_valid("MM", s))
			rc = err_set(d, ERR_UPSTREAM, "twilio: HTTP %ld without a message sid", code);
		else
			snprintf(sid, SMS_SID_SIZE, "%s", s);
	} else {
		rc = vendor_error(code, j, vendor_code, d);
	}
out:
	json_decref(j);
	buf_cleanup(&body);
	buf_cleanup(&ans);
	return rc;
}

/* The best vendor message for a lookup so far: its sid and how far its
 * date_created lies from our attempt (lower is better; -1: none yet). */
struct pick {
	char sid[SMS_SID_SIZE];
	int64_t rank;
	bool after; /* created at or after our attempt (to the second) */
};

/* How well a message created at `created` fits an attempt at since_ms:
 * those at or after it (Twilio's dates have whole seconds) by closeness,
 * then those before it within the skew by closeness; -1: too old. */
static int64_t fit(int64_t created, int64_t since_ms)
{
	int64_t since_s = since_ms - since_ms % 1000;
	if (created >= since_s)
		return created - since_s;
	if (created >= since_s - LOOKUP_SKEW_MS)
		return LOOKUP_SKEW_MS + (since_s - created);
	return -1;
}

/* Scans one page (newest first) of the messages to m->to from m->from for
 * ones like m that no other message of ours owns (q->taken), keeping the
 * best in *best; *older once the page reaches messages created before
 * since_ms less the skew, *before once it reaches any before since_ms.
 * ERR_OK, or the error of q->taken. */
static enum err scan_page(json_t *list, const struct sms_out *m, const struct sms_lookup *q, struct pick *best,
			  bool *older, bool *before)
{
	size_t i;
	json_t *msg;
	json_array_foreach(list, i, msg) {
		const char *s = json_string_value(json_object_get(msg, "sid"));
		int64_t created = twilio_time_ms(json_string_value(json_object_get(msg, "date_created")));
		int64_t rank = created >= 0 ? fit(created, q->since_ms) : -1;
		if (created >= 0 && created < q->since_ms - q->since_ms % 1000)
			*before = true;
		if (created >= 0 && rank < 0)
			*older = true;
		if (rank < 0 || (best->rank >= 0 && rank >= best->rank) || !twilio_json_is(msg, "body", m->body) ||
		    !twilio_json_is(msg, "to", m->to) || !twilio_json_is(msg, "from", m->from) || !telephony_sid_valid("SM", s))
			continue;
		bool taken = false;
		enum err rc = q->taken ? q->taken(q->arg, s, &taken) : ERR_OK;
		if (rc != ERR_OK)
			return rc;
		if (taken)
			continue; /* another message of ours, with the same text */
		snprintf(best->sid, sizeof best->sid, "%s", s);
		best->rank = rank;
		best->after = rank < LOOKUP_SKEW_MS;
	}
	return ERR_OK;
}

/* Pages through the messages to m->to from m->from, newest first
 * (next_page_uri), until they reach messages older than any of ours could
 * be, or older than our attempt once one after it matched. */
static enum err twilio_lookup(struct sms_provider *p, const struct sms_out *m, const struct sms_lookup *q,
			      char sid[SMS_SID_SIZE], struct err_detail *d)
{
	struct buf qs, ans;
	buf_init(&qs, 4096);
	buf_init(&ans, MAX_ANSWER);
	char base[1024], url[TWILIO_URL_SIZE];
	json_t *j = NULL;
	struct pick best = {.rank = -1};
	enum err rc = form_append(&qs, "To", m->to);
	if (rc == ERR_OK)
		rc = form_append(&qs, "From", m->from);
	if (rc == ERR_OK)
		rc = form_append(&qs, "PageSize", LOOKUP_PAGE);
	if (rc != ERR_OK)
		goto out;
	twilio_resource_url(p->cfg, "Messages.json", base, sizeof base);
	snprintf(url, sizeof url, "%s?%s", base, buf_cstr(&qs));
	for (int page = 0; page < LOOKUP_MAX_PAGES; page++) {
		long code = 0;
		int vendor_code = 0;
		ans.len = 0;
		json_decref(j);
		j = NULL;
		if ((rc = twilio_request(p->cfg, url, NULL, &ans, &code, d)) != ERR_OK)
			break;
		json_error_t je;
		j = ans.len ? json_loadb(ans.data, ans.len, 0, &je) : NULL;
		if (code < 200 || code >= 300) {
			vendor_error(code, j, &vendor_code, d);
			rc = ERR_UPSTREAM; /* a lookup we cannot make is no proof of absence */
			break;
		}
		json_t *list = json_object_get(j, "messages");
		if (!json_is_array(list)) {
			rc = err_set(d, ERR_UPSTREAM, "twilio: message list without messages");
			break;
		}
		bool older = false, before = false;
		if ((rc = scan_page(list, m, q, &best, &older, &before)) != ERR_OK)
			break;
		const char *next = json_string_value(json_object_get(j, "next_page_uri"));
		if (older || (before && best.after) || !next || !*next)
			break;
		twilio_page_url(p->cfg, next, url, sizeof url);
	}
	if (rc == ERR_OK && best.rank < 0)
		rc = ERR_NOT_FOUND;
	if (rc == ERR_OK)
		snprintf(sid, SMS_SID_SIZE, "%s", best.sid);
out:
	json_decref(j);
	buf_cleanup(&qs);
	buf_cleanup(&ans);
	return rc;
}

/* A JSON integer, or a string of digits (Twilio gives num_segments as text); fallback otherwise. */
static int64_t int_of(json_t *v, int64_t fallback)
{
	if (json_is_integer(v))
		return json_integer_value(v);
	const char *s = json_string_value(v);
	char *end;
	long long n = s && *s ? strtoll(s, &end, 10) : 0;
	return s && *s && !*end ? n : fallback;
}

/* "-0.00790" (a charge) → 7900 micros; -1 when not priced yet. */
static int64_t price_of(json_t *v)
{
	const char *s = json_string_value(v);
	char *end;
	double x = json_is_number(v) ? json_number_value(v) : s && *s ? strtod(s, &end) : NAN;
	if (s && *s && *end)
		return -1;
	return isfinite(x) && fabs(x) < 1e6 ? (int64_t)llround(fabs(x) * 1e6) : -1;
}

static enum err twilio_fetch(struct sms_provider *p, const char *vendor_sid, struct sms_vendor_status *out,
			     struct err_detail *d)
{
	memset(out, 0, sizeof *out);
	if (!telephony_sid_valid("SM", vendor_sid) && !telephony_sid_valid("MM", vendor_sid))
		return err_set(d, ERR_INVALID, "twilio: %s is not a message sid", vendor_sid ? vendor_sid : "(none)");
	struct buf ans;
	buf_init(&ans, MAX_ANSWER);
	char resource[80], url[TWILIO_URL_SIZE];
	long code = 0;
	json_t *j = NULL;
	snprintf(resource, sizeof resource, "Messages/%s.json", vendor_sid);
	twilio_resource_url(p->cfg, resource, url, sizeof url);
	enum err rc = twilio_request(p->cfg, url, NULL, &ans, &code, d);
	if (rc != ERR_OK)
		goto out;
	json_error_t je;
	j = ans.len ? json_loadb(ans.data, ans.len, 0, &je) : NULL;
	if (code == 404) {
		rc = err_set(d, ERR_NOT_FOUND, "twilio: no message %s", vendor_sid);
	} else if (code < 200 || code >= 300) {
		int vendor_code = 0;
		vendor_error(code, j, &vendor_code, d);
		rc = ERR_UPSTREAM; /* a question we cannot ask now; asked again later */
	} else {
		const char *st = j ? json_string_value(json_object_get(j, "status")) : NULL;
		if (!st || !*st || strlen(st) >= sizeof out->status) {
			rc = err_set(d, ERR_INVALID, "twilio: message %s without a status", vendor_sid);
			goto out;
		}
		snprintf(out->status, sizeof out->status, "%s", st);
		int64_t ec = int_of(json_object_get(j, "error_code"), 0);
		out->error_code = ec > 0 && ec <= 1000000 ? (int)ec : 0;
		int64_t seg = int_of(json_object_get(j, "num_segments"), -1);
		out->segments = seg >= 0 && seg <= 1000 ? (int)seg : -1;
		out->price_micros = price_of(json_object_get(j, "price"));
		out->date_sent_ms = twilio_time_ms(json_string_value(json_object_get(j, "date_sent")));
	}
out:
	json_decref(j);
	buf_cleanup(&ans);
	return rc;
}

static void twilio_free(struct sms_provider *p)
{
	free(p);
}

enum err sms_twilio_open(const struct config *cfg, struct sms_provider **out, struct err_detail *d)
{
	if (!cfg->twilio_account_sid || !cfg->twilio_account_sid[0] || !cfg->twilio_auth_token ||
	    !cfg->twilio_auth_token[0])
		return err_set(d, ERR_INVALID, "sms twilio needs SWITCHBOARD_TWILIO_ACCOUNT_SID and SWITCHBOARD_TWILIO_AUTH_TOKEN");
	if (!cfg->twilio_base_url || strncmp(cfg->twilio_base_url, "http", 4) != 0)
		return err_set(d, ERR_INVALID, "sms twilio: SWITCHBOARD_TWILIO_BASE_URL must be an http(s) URL");
	struct sms_provider *p = calloc(1, sizeof *p);
	if (!p)
		return ERR_NOMEM;
	p->name = "twilio";
	p->send = twilio_send;
	p->lookup = twilio_lookup;
	p->fetch = twilio_fetch;
	p->free = twilio_free;
	p->cfg = cfg;
	*out = p;
	return ERR_OK;
}
