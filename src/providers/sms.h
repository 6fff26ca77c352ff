/* SMS: one interface, two implementations picked by the `sms` setting.
 * "sim" (the default, no credentials, no network) accepts a message at once
 * and plays its delivery out on its own thread, posting signed status
 * callbacks (queued, sent, delivered) to our own POST /api/webhooks/sms as
 * the vendor would (Twilio itself posts none for a message's initial status,
 * queued: the receiver must not wait for one); "twilio" posts to Twilio's
 * Messages REST resource through libcurl (the telephony settings: account
 * SID, auth token, base URL).
 *
 * The simulator's outcomes are deterministic by the last digits of `to`:
 *	...0002  queued, then failed (ErrorCode 30008)
 *	...0003  queued, sent, then undelivered (ErrorCode 30003)
 *	...0004  refused at once: vendor error 21610 (recipient unsubscribed)
 *	...0005  delivered, then the recipient replies "Sounds good, thanks!" (an
 *	         inbound message, for demos)
 *	anything else: queued, sent, delivered. */
#ifndef SB_PROVIDERS_SMS_H
#define SB_PROVIDERS_SMS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/err.h"

#define SMS_SID_SIZE 40
#define SMS_URL_SIZE 512
#define SMS_OPTED_OUT_CODE 21610   /* Twilio: "Attempt to send to unsubscribed recipient" */

/* One outbound message. Strings are borrowed for the call. */
struct sms_out {
	const char *key;         /* our idempotency key (the message's own sid) */
	const char *to, *from;   /* E.164 */
	const char *body;
	const char *status_url;  /* StatusCallback */
};

/* What the vendor says of one message now (its Message resource). */
struct sms_vendor_status {
	char status[24];         /* queued sending sent delivered undelivered failed ... */
	int error_code;          /* 0: none */
	int segments;            /* -1: not given */
	int64_t price_micros;    /* what it cost, sign dropped; -1: not priced yet */
	int64_t date_sent_ms;    /* -1: not sent yet */
};

/* What a lookup after an ambiguous attempt looks for (see lookup below). */
struct sms_lookup {
	int64_t since_ms; /* the message's first attempt (our clock) */
	/* Whether vendor_sid is already recorded for another message (*taken);
	 * NULL: none is. */
	enum err (*taken)(void *arg, const char *vendor_sid, bool *taken);
	void *arg;
};

struct sms_provider {
	const char *name;
	/* Sends m; writes the vendor's MessageSid into sid. Errors: ERR_UPSTREAM
	 * (outcome unknown or retry later: timeouts, connection failures, 5xx,
	 * 429) or ERR_INVALID (never succeeds; *vendor_code is the vendor's error
	 * code when it gave one, else 0). Thread-safe. */
	enum err (*send)(struct sms_provider *p, const struct sms_out *m, char sid[SMS_SID_SIZE], int *vendor_code,
			 struct err_detail *d);
	/* After an attempt whose outcome is unknown: the vendor's sid of a
	 * message like m (same to, from and body) that q->taken does not claim
	 * for another message of ours (identical texts are common: two
	 * reminders), created closest after q->since_ms (our first attempt),
	 * else closest before it within the clocks' skew. ERR_NOT_FOUND when
	 * the vendor has none (sending again is safe), ERR_UPSTREAM when it
	 * cannot tell now; an error of q->taken is returned as it is. */
	enum err (*lookup)(struct sms_provider *p, const struct sms_out *m, const struct sms_lookup *q,
			   char sid[SMS_SID_SIZE], struct err_detail *d);
	/* The vendor's current view of its message vendor_sid (the delivery
	 * receipt we may have missed). ERR_NOT_FOUND when it has no such
	 * message, ERR_UPSTREAM when it cannot tell now (network, 5xx, 429,
	 * credentials refused), ERR_INVALID for a sid or an answer that makes
	 * no sense. Thread-safe. */
	enum err (*fetch)(struct sms_provider *p, const char *vendor_sid, struct sms_vendor_status *out,
			  struct err_detail *d);
	void (*free)(struct sms_provider *p);
	const struct config *cfg;
	/* The URL callbacks are signed over: public base + "/api/webhooks/sms". */
	char webhook_url[SMS_URL_SIZE];
	/* Where this process receives them (http://127.0.0.1:<port>/api/webhooks/sms). */
	char local_webhook_url[SMS_URL_SIZE];
};

/* The provider the configuration names (cfg borrowed, must outlive it); port
 * is the port actually bound. ERR_INVALID for an unknown name or twilio
 * without credentials. Caller frees with sms_free. */
enum err sms_open(const struct config *cfg, int port, struct sms_provider **out, struct err_detail *d);
void sms_free(struct sms_provider *p);

/* A Twilio-shaped message sid ("SM" + 32 hex). */
void sms_sid_new(char out[SMS_SID_SIZE]);

#endif
