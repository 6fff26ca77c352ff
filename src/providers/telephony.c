/* Provider choice by configuration, and what both implementations share:
 * the webhook URLs, the bridge TwiML and Twilio-shaped ids. */
#include "providers/telephony.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"

enum err telephony_sim_open(const struct config *cfg, struct telephony **out, struct err_detail *d);
enum err telephony_twilio_open(const struct config *cfg, struct telephony **out, struct err_detail *d);

void telephony_public_base(const struct config *cfg, int port, char *out, size_t n)
{
	if (cfg->public_url && cfg->public_url[0]) {
		size_t len = strlen(cfg->public_url);
		while (len > 0 && cfg->public_url[len - 1] == '/')
			len--;
		snprintf(out, n, "%.*s", (int)len, cfg->public_url);
	} else {
		snprintf(out, n, "http://%s:%d", cfg->bind, port);
	}
}

enum err telephony_open(const struct config *cfg, int port, struct telephony **out, struct err_detail *d)
{
	enum err rc;
	const char *name = cfg->telephony && cfg->telephony[0] ? cfg->telephony : "sim";
	if (strcmp(name, "sim") == 0)
		rc = telephony_sim_open(cfg, out, d);
	else if (strcmp(name, "twilio") == 0)
		rc = telephony_twilio_open(cfg, out, d);
	else
		return err_set(d, ERR_INVALID, "telephony: unknown provider \"%s\" (sim or twilio)", name);
	if (rc != ERR_OK)
		return rc;
	char base[TEL_URL_SIZE - 32];
	telephony_public_base(cfg, port, base, sizeof base);
	snprintf((*out)->webhook_url, sizeof (*out)->webhook_url, "%s/api/webhooks/telephony", base);
	snprintf((*out)->local_webhook_url, sizeof (*out)->local_webhook_url,
		 "http://127.0.0.1:%d/api/webhooks/telephony", port);
	return ERR_OK;
}

void telephony_free(struct telephony *t)
{
	if (t)
		t->free(t);
}

/* XML text escaping of the few characters that matter. */
static bool put_xml(char **p, char *end, const char *s)
{
	for (; *s; s++) {
		const char *rep = *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;" : *s == '"' ? "&quot;" : NULL;
		size_t n = rep ? strlen(rep) : 1;
		if ((size_t)(end - *p) <= n)
			return false;
		memcpy(*p, rep ? rep : s, n);
		*p += n;
	}
	**p = '\0';
	return true;
}

static bool put(char **p, char *end, const char *s)
{
	size_t n = strlen(s);
	if ((size_t)(end - *p) <= n)
		return false;
	memcpy(*p, s, n + 1);
	*p += n;
	return true;
}

bool telephony_twiml_conference(const char *call_id, char *out, size_t n)
{
	char *p = out, *end = out + n;
	return n > 0 && put(&p, end, "<Response><Dial><Conference>call-") && put_xml(&p, end, call_id) &&
	       put(&p, end, "</Conference></Dial></Response>");
}

bool telephony_twiml_transfer(const char *caller_id, const char *customer, char *out, size_t n)
{
	char *p = out, *end = out + n;
	return n > 0 && put(&p, end, "<Response><Dial callerId=\"") && put_xml(&p, end, caller_id) &&
	       put(&p, end, "\">") && put_xml(&p, end, customer) && put(&p, end, "</Dial></Response>");
}

void telephony_sid_new(const char *prefix, char out[TEL_SID_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[16];
	crypto_random(r, sizeof r);
	size_t k = strlen(prefix);
	memcpy(out, prefix, k);
	for (int i = 0; i < 16; i++) {
		out[k + 2 * i] = hex[r[i] >> 4];
		out[k + 2 * i + 1] = hex[r[i] & 15];
	}
	out[k + 32] = '\0';
}

bool telephony_sid_valid(const char *prefix, const char *s)
{
	size_t k = strlen(prefix);
	if (!s || strncmp(s, prefix, k) != 0 || strlen(s) != k + 32)
		return false;
	for (const char *p = s + k; *p; p++)
		if (!strchr("0123456789abcdefABCDEF", *p))
			return false;
	return true;
}
