/* Twilio's Calls REST resource through libcurl:
 * POST {base}/2010-04-01/Accounts/{AccountSid}/Calls.json, HTTP Basic auth
 * (AccountSid:AuthToken), form parameters To, From, Twiml, StatusCallback,
 * StatusCallbackMethod and StatusCallbackEvent (repeated). 2 s to connect, 10 s
 * in all. Timeouts, connection failures, 429 and 5xx are ERR_UPSTREAM (the
 * job queue retries them); any other 4xx is ERR_INVALID (permanent). */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/form.h"
#include "providers/telephony.h"

#define CONNECT_TIMEOUT_MS 2000L
#define TOTAL_TIMEOUT_MS 10000L
#define MAX_ANSWER (256 * 1024)

static size_t write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	return buf_append(b, p, size * n) == ERR_OK ? size * n : 0;
}

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

/* The vendor's answer: the new sid on 2xx, else a classified error. */
static enum err read_answer(long code, struct buf *ans, char sid[TEL_SID_SIZE], struct err_detail *d)
{
	json_error_t je;
	json_t *j = ans->len ? json_loadb(ans->data, ans->len, 0, &je) : NULL;
	const char *msg = j ? json_string_value(json_object_get(j, "message")) : NULL;
	enum err rc = ERR_OK;
	if (code >= 200 && code < 300) {
		const char *s = j ? json_string_value(json_object_get(j, "sid")) : NULL;
		if (!telephony_sid_valid("CA", s))
			rc = err_set(d, ERR_UPSTREAM, "twilio: HTTP %ld without a call sid", code);
		else
			snprintf(sid, TEL_SID_SIZE, "%s", s);
	} else if (code == 429 || code >= 500) {
		rc = err_set(d, ERR_UPSTREAM, "twilio: HTTP %ld%s%s", code, msg ? ": " : "", msg ? msg : "");
	} else {
		json_int_t vcode = j ? json_integer_value(json_object_get(j, "code")) : 0;
		rc = err_set(d, ERR_INVALID, "twilio: HTTP %ld%s%s (code %lld)", code, msg ? ": " : "", msg ? msg : "",
			     (long long)vcode);
	}
	json_decref(j);
	return rc;
}

static enum err twilio_place(struct telephony *t, const struct tel_leg *leg, char sid[TEL_SID_SIZE],
			     struct err_detail *d)
{
	const struct config *cfg = t->cfg;
	struct buf body, ans;
	buf_init(&body, 64 * 1024);
	buf_init(&ans, MAX_ANSWER);
	CURL *c = NULL;
	struct curl_slist *h = NULL;
	char url[1024];
	enum err rc = build_form(&body, leg);
	if (rc != ERR_OK) {
		rc = err_set(d, ERR_INVALID, "twilio: leg too large");
		goto out;
	}
	size_t blen = strlen(cfg->twilio_base_url);
	while (blen > 0 && cfg->twilio_base_url[blen - 1] == '/')
		blen--;
	snprintf(url, sizeof url, "%.*s/2010-04-01/Accounts/%s/Calls.json", (int)blen, cfg->twilio_base_url,
		 cfg->twilio_account_sid);
	if (!(c = curl_easy_init())) {
		rc = ERR_NOMEM;
		goto out;
	}
	h = curl_slist_append(h, "Accept: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, buf_cstr(&body));
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body.len);
	curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(c, CURLOPT_USERNAME, cfg->twilio_account_sid);
	curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->twilio_auth_token);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &ans);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, TOTAL_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "switchboard");
	CURLcode cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		/* Timeouts, refused connections, resets: the vendor may be back later. */
		rc = err_set(d, ERR_UPSTREAM, "twilio: %s", curl_easy_strerror(cc));
		goto out;
	}
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	rc = read_answer(code, &ans, sid, d);
out:
	curl_slist_free_all(h);
	if (c)
		curl_easy_cleanup(c);
	buf_cleanup(&body);
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
	t->free = twilio_free;
	t->cfg = cfg;
	*out = t;
	return ERR_OK;
}
