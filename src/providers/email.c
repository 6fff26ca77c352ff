/* Provider choice and the message text shared by both implementations. */
#include "providers/email.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/crypto.h"

enum err email_outbox_open(const struct config *cfg, struct email_provider **out, struct err_detail *d);
enum err email_smtp_open(const struct config *cfg, struct email_provider **out, struct err_detail *d);

enum err email_provider_open(const struct config *cfg, struct email_provider **out, struct err_detail *d)
{
	if (strcmp(cfg->email, "smtp") == 0)
		return email_smtp_open(cfg, out, d);
	return email_outbox_open(cfg, out, d);
}

void email_provider_free(struct email_provider *p)
{
	if (p)
		p->free(p);
}

static bool ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80 || *s == '\r' || *s == '\n')
			return false;
	return true;
}

char *email_render(const struct config *cfg, const struct email_msg *m, int64_t now_ms)
{
	static const char *const days[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	char iso[32], date[64], subject[512];
	struct buf b;
	buf_init(&b, 1 << 20);
	clock_format_rfc3339(now_ms, iso, sizeof iso);
	int64_t day = now_ms / 86400000;
	snprintf(date, sizeof date, "%s, %.2s %s %.4s %.8s +0000", days[((day % 7) + 7) % 7], iso + 8,
		 months[(iso[5] - '0') * 10 + (iso[6] - '0') - 1], iso, iso + 11);
	if (ascii(m->subject)) {
		snprintf(subject, sizeof subject, "%s", m->subject);
	} else {
		char enc[400];
		size_t n = strlen(m->subject);
		if (n > 280)
			n = 280;
		crypto_base64(m->subject, n, enc, sizeof enc, false);
		snprintf(subject, sizeof subject, "=?UTF-8?B?%s?=", enc);
	}
	/* Header values come from our configuration and templates; strip CR/LF anyway. */
	const char *parts[] = {"From: ", cfg->smtp_from, "\r\nTo: ", m->to, "\r\nSubject: ", subject,
			       "\r\nDate: ", date, "\r\nMessage-ID: <", m->id, "@switchboard>\r\n",
			       "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
			       "Content-Transfer-Encoding: 8bit\r\n\r\n"};
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		const char *p = parts[i];
		bool header_value = i % 2 == 1;
		for (; *p; p++)
			if (!header_value || (*p != '\r' && *p != '\n'))
				buf_append(&b, p, 1);
	}
	for (const char *p = m->body; *p; p++) {
		if (*p == '\n' && (p == m->body || p[-1] != '\r'))
			buf_append(&b, "\r", 1);
		buf_append(&b, p, 1);
	}
	if (buf_puts(&b, "\r\n") != ERR_OK) {
		buf_cleanup(&b);
		return NULL;
	}
	return b.data;
}
