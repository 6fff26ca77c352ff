/* Twilio-signed webhooks (the checks of api/webhooks.c, for the other
 * handlers that receive them). */
#ifndef SB_API_WEBHOOK_AUTH_H
#define SB_API_WEBHOOK_AUTH_H

#include "core/form.h"
#include "http/req.h"

/* Checks the sender's address (webhook_allow), the X-Twilio-Signature over
 * the URL Twilio signed (*url, arena) and the form's parameters as sent, and
 * only then the body (parsed into *f, in the request's arena): ERR_FORBIDDEN
 * for any wrong signature, even over a body that is no valid form;
 * ERR_INVALID for a rightly signed one that is not (or a signed JSON body).
 * The reason is in r->err. */
enum err webhook_twilio_verify(struct req *r, struct form *f, const char **url);

#endif
