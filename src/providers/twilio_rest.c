/* Twilio REST plumbing shared by the Calls and Messages clients (see twilio_rest.h). */
#include "providers/twilio_rest.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define CONNECT_TIMEOUT_MS 2000L

static size_t write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	return buf_append(b, p, size * n) == ERR_OK ? size * n : 0;
}

enum err twilio_request(const struct config *cfg, const char *url, const struct buf *body, struct buf *ans,
			long *code, struct err_detail *d)
{
	enum err rc = ERR_OK;
	struct curl_slist *h = NULL;
	CURL *c = curl_easy_init();
	if (!c)
		return ERR_NOMEM;
	long total = (long)cfg->twilio_timeout_ms;
	h = curl_slist_append(h, "Accept: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data ? body->data : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body->len);
	}
	curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(c, CURLOPT_USERNAME, cfg->twilio_account_sid);
	curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->twilio_auth_token);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, ans);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, total < CONNECT_TIMEOUT_MS ? total : CONNECT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, total);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "switchboard");
	CURLcode cc = curl_easy_perform(c);
	if (cc != CURLE_OK) /* the vendor may be back later */
		rc = err_set(d, ERR_UPSTREAM, "twilio: %s", curl_easy_strerror(cc));
	else
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, code);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return rc;
}

/* The base URL's length without trailing slashes. */
static int base_len(const struct config *cfg)
{
	size_t n = strlen(cfg->twilio_base_url);
	while (n > 0 && cfg->twilio_base_url[n - 1] == '/')
		n--;
	return (int)n;
}

void twilio_resource_url(const struct config *cfg, const char *resource, char *out, size_t n)
{
	snprintf(out, n, "%.*s/2010-04-01/Accounts/%s/%s", base_len(cfg), cfg->twilio_base_url,
		 cfg->twilio_account_sid, resource);
}

void twilio_page_url(const struct config *cfg, const char *path, char *out, size_t n)
{
	snprintf(out, n, "%.*s%s", base_len(cfg), cfg->twilio_base_url, path);
}

int64_t twilio_time_ms(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *end = s ? strptime(s, "%a, %d %b %Y %H:%M:%S", &tm) : NULL;
	if (!end)
		return -1;
	return (int64_t)timegm(&tm) * 1000;
}

bool twilio_json_is(json_t *o, const char *key, const char *want)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v && want && strcmp(v, want) == 0;
}
