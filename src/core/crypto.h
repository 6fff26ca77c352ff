/* Crypto helpers over OpenSSL and libargon2: random secrets, SHA-256, HMAC,
 * constant-time comparison, base64, password hashing. */
#ifndef SB_CORE_CRYPTO_H
#define SB_CORE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define CRYPTO_SHA256_HEX 65 /* 64 hex chars + NUL */

/* Fills p with n bytes from the kernel CSPRNG. */
void crypto_random(void *p, size_t n);
/* A new secret "<prefix><43 base64url chars>" (32 random bytes) into out (size n >= strlen(prefix)+44). */
enum err crypto_token_new(const char *prefix, char *out, size_t n);
/* Lower-case hex SHA-256 of data. */
void crypto_sha256_hex(const void *data, size_t len, char out[CRYPTO_SHA256_HEX]);
/* SHA-1 digest (WebSocket handshakes only; not for security). */
void crypto_sha1(const void *data, size_t len, unsigned char out[20]);
/* HMAC-SHA1 (Twilio signatures) and HMAC-SHA256: raw digest into out; returns its length or 0. */
size_t crypto_hmac_sha1(const void *key, size_t klen, const void *data, size_t len, unsigned char out[20]);
size_t crypto_hmac_sha256(const void *key, size_t klen, const void *data, size_t len, unsigned char out[32]);
/* Constant-time equality of two NUL-terminated strings (time depends on length only). */
bool crypto_streq(const char *a, const char *b);
/* Base64 (standard alphabet, padded) / base64url (no padding) of data into out; false if n too small. */
bool crypto_base64(const void *data, size_t len, char *out, size_t n, bool url);
/* Wipes a secret before it is freed or goes out of scope. */
void crypto_wipe(void *p, size_t n);

/* argon2id PHC string of password into out (size >= 128). */
enum err crypto_password_hash(const char *password, char *out, size_t n);
/* True when password matches the PHC string. */
bool crypto_password_verify(const char *phc, const char *password);

#endif
