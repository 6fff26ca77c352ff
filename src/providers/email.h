/* E-mail: one interface, two implementations picked by the `email` setting:
 * "outbox" writes RFC 5322 .eml files under DATA/outbox (the default, no
 * credentials), "smtp" sends through an SMTP server with libcurl. */
#ifndef SB_PROVIDERS_EMAIL_H
#define SB_PROVIDERS_EMAIL_H

#include "core/config.h"
#include "core/err.h"

struct email_msg {
	const char *id;      /* stable id: a resend of the same message is recognisable (Message-ID, file name) */
	const char *to;      /* comma-separated addresses */
	const char *subject;
	const char *body;    /* plain text, UTF-8 */
};

struct email_provider {
	const char *name;
	/* ERR_UPSTREAM (retry later) or ERR_INVALID (never succeeds) with detail in d. */
	enum err (*send)(struct email_provider *p, const struct email_msg *m, struct err_detail *d);
	void (*free)(struct email_provider *p);
	const struct config *cfg;
};

/* The provider the configuration names. cfg is borrowed. Caller frees with email_provider_free. */
enum err email_provider_open(const struct config *cfg, struct email_provider **out, struct err_detail *d);
void email_provider_free(struct email_provider *p);
/* The message as RFC 5322 text (CRLF line ends, UTF-8 subject encoded); caller frees. */
char *email_render(const struct config *cfg, const struct email_msg *m, int64_t now_ms);

#endif
