/* Twilio-signed webhooks (the checks of api/webhooks.c, for the other
 * handlers that receive them). */
#ifndef SB_API_WEBHOOK_AUTH_H
#define SB_API_WEBHOOK_AUTH_H

#include "core/form.h"
#include "http/req.h"

/* Checks the sender's address (webhook_allow), the X-Twilio-Signature over
 * the URL Twilio signed (*url, arena) and the form body (parsed into *f, in
 * the request's arena). ERR_FORBIDDEN or ERR_INVALID with the reason in r->err. */
enum err webhook_twilio_verify(struct req *r, struct form *f, const char **url);

#endif
