/* Telephony: one interface, two implementations picked by the `telephony`
 * setting. "sim" (the default, no credentials, no network) invents a CallSid and
 * plays the leg out on its own thread, posting signed status callbacks to our
 * own POST /api/webhooks/telephony exactly as the vendor would; "twilio" places
 * the leg with Twilio's Calls REST resource through libcurl. Either way the
 * state of a leg reaches us only through those callbacks.
 *
 * The simulator's outcomes are deterministic by the last digits of `to`:
 *	...0000  busy        (initiated, ringing, then completed with CallStatus=busy)
 *	...0001  no-answer   (initiated, ringing, then no-answer after sim_ring_ms)
 *	...0002  failed      (initiated, then failed)
 *	anything else: initiated, ringing, in-progress after sim_ring_ms,
 *	completed after sim_talk_ms more (CallDuration = talk time in seconds). */
#ifndef SB_PROVIDERS_TELEPHONY_H
#define SB_PROVIDERS_TELEPHONY_H

#include <stdint.h>

#include "core/config.h"
#include "core/err.h"

#define TEL_SID_SIZE 40   /* "CA" + 32 hex + NUL, with room */
#define TEL_URL_SIZE 512
#define TEL_LOOKUP_MAX 8  /* calls a lookup answers at most */

/* One outbound leg. Strings are borrowed for the call. */
struct tel_leg {
	const char *to;          /* E.164 */
	const char *from;        /* E.164 caller id (a tracking number) */
	const char *twiml;       /* what the vendor does once the leg answers */
	const char *status_url;  /* StatusCallback (initiated, ringing, answered, completed) */
};

/* A call the vendor has, as its call list shows it. */
struct tel_call {
	char sid[TEL_SID_SIZE];
	char status[16];         /* the vendor's CallStatus: queued ringing in-progress completed busy failed no-answer canceled */
	int64_t duration_sec;    /* -1 when the vendor gives none */
	int64_t created_ms;      /* the vendor's date_created */
};

struct telephony {
	const char *name;
	/* Places leg; writes the vendor's CallSid into sid. Errors: ERR_UPSTREAM
	 * (retry later: timeouts, connection failures, 5xx, 429; the vendor may
	 * have placed the leg all the same) or ERR_INVALID (never succeeds: any
	 * other 4xx, malformed answer), detail in d. Thread-safe. */
	enum err (*place)(struct telephony *t, const struct tel_leg *leg, char sid[TEL_SID_SIZE], struct err_detail *d);
	/* After an attempt whose outcome is unknown (the vendor has no
	 * idempotency key for calls): the calls the vendor placed through its
	 * API from leg->from to leg->to created at or after since_ms (wall
	 * clock), oldest first, at most TEL_LOOKUP_MAX of them, in out; *n
	 * how many. *n == 0: none (placing again is safe). ERR_UPSTREAM when
	 * the vendor cannot tell now (no proof of absence). Thread-safe. */
	enum err (*lookup)(struct telephony *t, const struct tel_leg *leg, int64_t since_ms,
			   struct tel_call out[TEL_LOOKUP_MAX], int *n, struct err_detail *d);
	void (*free)(struct telephony *t);
	const struct config *cfg;
	/* The URL vendor callbacks are signed over and sent to: cfg->public_url (or
	 * http://<bind>:<port> when empty) + "/api/webhooks/telephony". */
	char webhook_url[TEL_URL_SIZE];
	/* Where this process itself receives them (http://127.0.0.1:<port>/...). */
	char local_webhook_url[TEL_URL_SIZE];
};

/* The provider the configuration names; port is the port actually bound (the
 * configured one may be 0). cfg is borrowed and must outlive the provider.
 * ERR_INVALID for an unknown name or twilio without credentials. Caller frees
 * with telephony_free (which stops the simulator's thread). */
enum err telephony_open(const struct config *cfg, int port, struct telephony **out, struct err_detail *d);
void telephony_free(struct telephony *t);

/* The base URL signatures are computed over ("https://x.example" or
 * "http://127.0.0.1:8080"), without a trailing slash, into out. */
void telephony_public_base(const struct config *cfg, int port, char *out, size_t n);

/* TwiML documents of the two bridge modes, into out (size n); false when too long.
 * conference: the leg joins room "call-<call_id>".
 * transfer: the leg dials `customer` directly showing caller_id. */
bool telephony_twiml_conference(const char *call_id, char *out, size_t n);
bool telephony_twiml_transfer(const char *caller_id, const char *customer, char *out, size_t n);

/* A Twilio-shaped id: prefix ("CA", "AC") + 32 random lower-case hex digits. */
void telephony_sid_new(const char *prefix, char out[TEL_SID_SIZE]);
/* True when s is prefix + 32 hex digits. */
bool telephony_sid_valid(const char *prefix, const char *s);

#endif
