/* E-mail through SMTP with libcurl (STARTTLS when the server offers it,
 * implicit TLS with smtps://), with connect and overall timeouts. */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "providers/email.h"

struct reader {
	const char *data;
	size_t len, off;
};

static size_t read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	struct reader *r = arg;
	size_t room = size * nitems, n = r->len - r->off < room ? r->len - r->off : room;
	memcpy(buf, r->data + r->off, n);
	r->off += n;
	return n;
}

static enum err smtp_send(struct email_provider *p, const struct email_msg *m, struct err_detail *d)
{
	const struct config *cfg = p->cfg;
	char *text = email_render(cfg, m, clock_real_ms());
	CURL *c = curl_easy_init();
	struct curl_slist *rcpt = NULL;
	enum err rc = ERR_OK;
	if (!text || !c) {
		rc = ERR_NOMEM;
		goto out;
	}
	char *to = strdup(m->to);
	if (!to) {
		rc = ERR_NOMEM;
		goto out;
	}
	for (char *save = NULL, *a = strtok_r(to, ", ", &save); a; a = strtok_r(NULL, ", ", &save))
		rcpt = curl_slist_append(rcpt, a);
	free(to);
	struct reader r = {text, strlen(text), 0};
	curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, cfg->smtp_from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &r);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (cfg->smtp_user[0]) {
		curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->smtp_password);
	}
	CURLcode cc = curl_easy_perform(c);
	if (cc != CURLE_OK)
		rc = err_set(d, ERR_UPSTREAM, "smtp: %s", curl_easy_strerror(cc));
out:
	curl_slist_free_all(rcpt);
	if (c)
		curl_easy_cleanup(c);
	free(text);
	return rc;
}

static void smtp_free(struct email_provider *p)
{
	free(p);
}

enum err email_smtp_open(const struct config *cfg, struct email_provider **out, struct err_detail *d)
{
	(void)d;
	struct email_provider *p = calloc(1, sizeof *p);
	if (!p)
		return ERR_NOMEM;
	p->name = "smtp";
	p->send = smtp_send;
	p->free = smtp_free;
	p->cfg = cfg;
	*out = p;
	return ERR_OK;
}
