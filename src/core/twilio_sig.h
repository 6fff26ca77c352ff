/* Twilio request signatures (X-Twilio-Signature), as Twilio documents them:
 * base64(HMAC-SHA1(auth token, full URL + every POST parameter's name and
 * value, sorted by name)). For JSON bodies the URL carries a bodySHA256 query
 * parameter (hex SHA-256 of the body) and only the URL is signed. */
#ifndef SB_CORE_TWILIO_SIG_H
#define SB_CORE_TWILIO_SIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/form.h"

#define TWILIO_SIG_SIZE 32 /* 28 base64 chars + NUL, rounded */

/* Signature of a form POST to url with params (any order). false on error. */
bool twilio_sig_compute(const char *auth_token, const char *url, const struct form *params, char out[TWILIO_SIG_SIZE]);
/* Constant-time check of a received header against the expected signature. For
 * a URL with bodySHA256, body must be given (its hash is checked too) and params ignored. */
bool twilio_sig_valid(const char *auth_token, const char *url, const struct form *params, const char *body,
		      size_t body_len, const char *header);

#endif
