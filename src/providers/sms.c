/* SMS provider choice by configuration (see sms.h). */
#include "providers/sms.h"

#include <stdio.h>
#include <string.h>

#include "providers/telephony.h"

enum err sms_sim_open(const struct config *cfg, struct sms_provider **out, struct err_detail *d);
enum err sms_twilio_open(const struct config *cfg, struct sms_provider **out, struct err_detail *d);

enum err sms_open(const struct config *cfg, int port, struct sms_provider **out, struct err_detail *d)
{
	enum err rc;
	const char *name = cfg->sms && cfg->sms[0] ? cfg->sms : "sim";
	if (strcmp(name, "sim") == 0)
		rc = sms_sim_open(cfg, out, d);
	else if (strcmp(name, "twilio") == 0)
		rc = sms_twilio_open(cfg, out, d);
	else
		return err_set(d, ERR_INVALID, "sms: unknown provider \"%s\" (sim or twilio)", name);
	if (rc != ERR_OK)
		return rc;
	char base[SMS_URL_SIZE - 32];
	telephony_public_base(cfg, port, base, sizeof base);
	snprintf((*out)->webhook_url, sizeof (*out)->webhook_url, "%s/api/webhooks/sms", base);
	snprintf((*out)->local_webhook_url, sizeof (*out)->local_webhook_url, "http://127.0.0.1:%d/api/webhooks/sms",
		 port);
	return ERR_OK;
}

void sms_free(struct sms_provider *p)
{
	if (p)
		p->free(p);
}

void sms_sid_new(char out[SMS_SID_SIZE])
{
	telephony_sid_new("SM", out);
}
