/* What Twilio's two REST clients share (telephony_twilio.c: Calls,
 * sms_twilio.c: Messages): one request through libcurl with HTTP Basic auth
 * AccountSid:AuthToken (at most 2 s to connect, twilio_timeout_ms in all),
 * the resource URLs, and the vendor's RFC 2822 dates. */
#ifndef SB_PROVIDERS_TWILIO_REST_H
#define SB_PROVIDERS_TWILIO_REST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"

#define TWILIO_URL_SIZE 4096

/* One request to url: body NULL is a GET, else a form POST of body. The
 * answer's bytes go to ans (bounded by its maximum), its status to *code.
 * ERR_UPSTREAM (detail in d) when no answer came: timeouts, refused or cut
 * connections. ERR_NOMEM. Thread-safe. */
enum err twilio_request(const struct config *cfg, const char *url, const struct buf *body, struct buf *ans,
			long *code, struct err_detail *d);
/* {base}/2010-04-01/Accounts/{AccountSid}/{resource} ("Calls.json") into out. */
void twilio_resource_url(const struct config *cfg, const char *resource, char *out, size_t n);
/* {base}{path} into out: a list answer's next_page_uri. */
void twilio_page_url(const struct config *cfg, const char *path, char *out, size_t n);
/* Whether resource o's field key is the string want (a list entry's to, from, body). */
bool twilio_json_is(json_t *o, const char *key, const char *want);
/* "Fri, 27 Nov 2026 19:37:54 +0000" → epoch ms; -1 when unreadable or NULL. */
int64_t twilio_time_ms(const char *rfc2822);

#endif
