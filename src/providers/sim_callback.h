/* How the vendor simulators (telephony, SMS) call back: the form is signed
 * exactly as Twilio signs it (X-Twilio-Signature over signed_url and the
 * sorted parameters) and posted to post_url, retried shortly and in order
 * when the server answers 404 (the callback beat the job recording the vendor
 * id) or 5xx, or cannot be reached: up to 20 more times, 100 ms apart. A final
 * failure is logged with what ("telephony sim: status callback CA.. ringing"). */
#ifndef SB_PROVIDERS_SIM_CALLBACK_H
#define SB_PROVIDERS_SIM_CALLBACK_H

#include "core/form.h"

void sim_callback_post(const char *auth_token, const char *signed_url, const char *post_url, const struct form *f,
		       const char *what);

#endif
