/* Signed vendor callbacks of the simulators (see sim_callback.h). */
#include "providers/sim_callback.h"

#include <curl/curl.h>
#include <stdio.h>
#include <time.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/twilio_sig.h"

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

void sim_callback_post(const char *auth_token, const char *signed_url, const char *post_url, const struct form *f,
		       const char *what)
{
	char sig[TWILIO_SIG_SIZE], hdr[TWILIO_SIG_SIZE + 32];
	struct buf body;
	buf_init(&body, 16384);
	CURL *c = NULL;
	struct curl_slist *h = NULL;
	if (!twilio_sig_compute(auth_token ? auth_token : "", signed_url, f, sig)) {
		log_warn("%s: cannot sign", what);
		goto out;
	}
	for (int i = 0; i < f->n; i++)
		if (form_append(&body, f->v[i].key, f->v[i].value) != ERR_OK)
			goto out;
	snprintf(hdr, sizeof hdr, "X-Twilio-Signature: %s", sig);
	if (!(c = curl_easy_init()))
		goto out;
	h = curl_slist_append(h, "Content-Type: application/x-www-form-urlencoded");
	h = curl_slist_append(h, hdr);
	h = curl_slist_append(h, "User-Agent: TwilioProxy/1.1 (switchboard simulator)");
	curl_easy_setopt(c, CURLOPT_URL, post_url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, buf_cstr(&body));
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body.len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	CURLcode cc;
	long code = 0;
	for (int attempt = 0;; attempt++) {
		cc = curl_easy_perform(c);
		code = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		bool retry = cc != CURLE_OK || code == 404 || code >= 500;
		if (!retry || attempt == 20)
			break;
		struct timespec pause = {0, 100 * 1000 * 1000};
		nanosleep(&pause, NULL);
	}
	if (cc != CURLE_OK || code >= 300)
		log_warn("%s: %s (HTTP %ld)", what, cc != CURLE_OK ? curl_easy_strerror(cc) : "refused", code);
out:
	curl_slist_free_all(h);
	if (c)
		curl_easy_cleanup(c);
	buf_cleanup(&body);
}
