/* Twilio signatures. */
#include "core/twilio_sig.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/crypto.h"

static int by_key(const void *a, const void *b)
{
	const struct form_param *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->value, y->value);
}

bool twilio_sig_compute(const char *auth_token, const char *url, const struct form *params, char out[TWILIO_SIG_SIZE])
{
	struct buf b;
	bool ok = false;
	struct form_param *sorted = NULL;
	buf_init(&b, 1 << 20);
	int n = params ? params->n : 0;
	if (n) {
		sorted = malloc(sizeof *sorted * (size_t)n);
		if (!sorted)
			goto out;
		memcpy(sorted, params->v, sizeof *sorted * (size_t)n);
		qsort(sorted, (size_t)n, sizeof *sorted, by_key);
	}
	if (buf_puts(&b, url) != ERR_OK)
		goto out;
	for (int i = 0; i < n; i++)
		if (buf_puts(&b, sorted[i].key) != ERR_OK || buf_puts(&b, sorted[i].value) != ERR_OK)
			goto out;
	unsigned char mac[20];
	if (crypto_hmac_sha1(auth_token, strlen(auth_token), b.data, b.len, mac) != 20)
		goto out;
	ok = crypto_base64(mac, sizeof mac, out, TWILIO_SIG_SIZE, false);
out:
	free(sorted);
	buf_cleanup(&b);
	return ok;
}

/* The bodySHA256 query parameter of url, or NULL. */
static const char *body_hash_param(const char *url, size_t *len)
{
	const char *q = strchr(url, '?');
	for (const char *p = q; p; p = strchr(p + 1, '&')) {
		if (strncmp(p + 1, "bodySHA256=", 11) == 0) {
			const char *v = p + 12;
			*len = strcspn(v, "&#");
			return v;
		}
	}
	return NULL;
}

bool twilio_sig_valid(const char *auth_token, const char *url, const struct form *params, const char *body,
		      size_t body_len, const char *header)
{
	char want[TWILIO_SIG_SIZE];
	if (!auth_token || !*auth_token || !header || !url)
		return false;
	size_t hl = 0;
	const char *hash = body_hash_param(url, &hl);
	if (hash) {
		char hex[CRYPTO_SHA256_HEX];
		if (!body)
			return false;
		crypto_sha256_hex(body, body_len, hex);
		if (hl != 64 || strncasecmp(hash, hex, 64) != 0)
			return false;
		params = NULL; /* JSON body: only the URL is signed */
	}
	if (!twilio_sig_compute(auth_token, url, params, want))
		return false;
	return crypto_streq(want, header);
}
