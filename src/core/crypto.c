/* Crypto helpers. Password hashing uses argon2id with OWASP's 2023 minimum
 * (19 MiB, t=2, p=1): ~25 ms per login on this class of machine. */
#include "core/crypto.h"

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <string.h>
#include <sys/random.h>

void crypto_random(void *p, size_t n)
{
	unsigned char *c = p;
	while (n) {
		ssize_t r = getrandom(c, n, 0);
		if (r > 0) {
			c += r;
			n -= (size_t)r;
		}
	}
}

bool crypto_base64(const void *data, size_t len, char *out, size_t n, bool url)
{
	static const char std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char web[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char *al = url ? web : std;
	const unsigned char *d = data;
	size_t need = url ? (len * 4 + 2) / 3 + 1 : (len + 2) / 3 * 4 + 1;
	if (n < need)
		return false;
	size_t o = 0, i = 0;
	for (; i + 2 < len; i += 3) {
		unsigned v = (unsigned)d[i] << 16 | (unsigned)d[i + 1] << 8 | d[i + 2];
		out[o++] = al[v >> 18];
		out[o++] = al[(v >> 12) & 63];
		out[o++] = al[(v >> 6) & 63];
		out[o++] = al[v & 63];
	}
	if (i < len) {
		unsigned v = (unsigned)d[i] << 16 | (i + 1 < len ? (unsigned)d[i + 1] << 8 : 0);
		out[o++] = al[v >> 18];
		out[o++] = al[(v >> 12) & 63];
		if (i + 1 < len)
			out[o++] = al[(v >> 6) & 63];
		else if (!url)
			out[o++] = '=';
		if (!url)
			out[o++] = '=';
	}
	out[o] = 0;
	return true;
}

enum err crypto_token_new(const char *prefix, char *out, size_t n)
{
	unsigned char raw[32];
	size_t pl = strlen(prefix);
	if (n < pl + 44)
		return ERR_INVALID;
	crypto_random(raw, sizeof raw);
	memcpy(out, prefix, pl);
	bool ok = crypto_base64(raw, sizeof raw, out + pl, n - pl, true);
	crypto_wipe(raw, sizeof raw);
	return ok ? ERR_OK : ERR_INVALID;
}

void crypto_sha256_hex(const void *data, size_t len, char out[CRYPTO_SHA256_HEX])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256(data, len, md);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = 0;
}

void crypto_sha1(const void *data, size_t len, unsigned char out[20])
{
	SHA1(data, len, out);
}

static size_t hmac(const EVP_MD *md, const void *key, size_t klen, const void *data, size_t len,
		   unsigned char *out)
{
	unsigned int olen = 0;
	if (!HMAC(md, key, (int)klen, data, len, out, &olen))
		return 0;
	return olen;
}

size_t crypto_hmac_sha1(const void *key, size_t klen, const void *data, size_t len, unsigned char out[20])
{
	return hmac(EVP_sha1(), key, klen, data, len, out);
}

size_t crypto_hmac_sha256(const void *key, size_t klen, const void *data, size_t len, unsigned char out[32])
{
	return hmac(EVP_sha256(), key, klen, data, len, out);
}

bool crypto_streq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return false;
	return CRYPTO_memcmp(a, b, la) == 0;
}

void crypto_wipe(void *p, size_t n)
{
	if (p)
		explicit_bzero(p, n);
}

enum err crypto_password_hash(const char *password, char *out, size_t n)
{
	unsigned char salt[16];
	crypto_random(salt, sizeof salt);
	int rc = argon2id_hash_encoded(2, 19456, 1, password, strlen(password), salt, sizeof salt, 32,
				       out, n);
	return rc == ARGON2_OK ? ERR_OK : ERR_INTERNAL;
}

bool crypto_password_verify(const char *phc, const char *password)
{
	if (!phc || !password || strncmp(phc, "$argon2id$", 10) != 0)
		return false;
	return argon2id_verify(phc, password, strlen(password)) == ARGON2_OK;
}
