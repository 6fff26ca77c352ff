/* SMS templates (see templates.h). */
#include "domain/templates.h"

#include <stdio.h>
#include <string.h>

/* Built-in variables the sender fills in itself: businessName (the
 * workspace's name) and customerName (the call's contact, when known).
 *
 * general is the drawer's everyday text: the client sends it with
 * { customerName, jobTime } (spec/client-contract.md), or with its own words
 * as {{message}}; without a message it says when the visit is. */
static const struct tpl_default general_defaults[] = {
	{"message", "We have you scheduled for {{jobTime}}. Reply here with any questions."},
	{NULL, NULL},
};

static const struct sms_template builtins[] = {
	{"general", "General message",
	 "Hi {{customerName}}, this is {{businessName}}. {{message}}", "transactional", true, general_defaults},
	{"missed-call-text-back", "Missed-call text-back",
	 "Hi {{customerName}}, sorry we missed your call to {{businessName}}. How can we help? Reply here or we will call you back shortly.",
	 "transactional", true},
	{"on-my-way", "On my way",
	 "Hi {{customerName}}, {{techName}} from {{businessName}} is on the way and should arrive around {{eta}}.",
	 "transactional", true},
	{"appointment-confirmation", "Appointment confirmation",
	 "Hi {{customerName}}, your appointment with {{businessName}} is confirmed for {{jobTime}}. Reply to reschedule.",
	 "transactional", true},
	{"estimate-follow-up", "Estimate follow-up",
	 "Hi {{customerName}}, following up on your estimate from {{businessName}}: {{estimateLink}} Any questions? Just reply.",
	 "marketing", true},
	{"review-request", "Review request",
	 "Thanks for choosing {{businessName}}, {{customerName}}! Would you leave us a quick review? {{reviewLink}}",
	 "marketing", true},
};

const struct sms_template *tpl_builtins(size_t *n)
{
	*n = sizeof builtins / sizeof builtins[0];
	return builtins;
}

const struct sms_template *tpl_builtin(const char *id)
{
	for (size_t i = 0; id && i < sizeof builtins / sizeof builtins[0]; i++)
		if (strcmp(builtins[i].id, id) == 0)
			return &builtins[i];
	return NULL;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* At s (pointing at "{{"): when a variable follows, its name into name and
 * the length of the whole {{ ... }} in *len. */
static bool var_at(const char *s, char name[TPL_VAR_MAX], size_t *len)
{
	if (s[0] != '{' || s[1] != '{')
		return false;
	const char *p = s + 2;
	while (*p == ' ')
		p++;
	const char *start = p;
	while (name_char(*p))
		p++;
	size_t n = (size_t)(p - start);
	while (*p == ' ')
		p++;
	if (n == 0 || n >= TPL_VAR_MAX || p[0] != '}' || p[1] != '}')
		return false;
	memcpy(name, start, n);
	name[n] = '\0';
	*len = (size_t)(p + 2 - s);
	return true;
}

int tpl_variables(const char *body, char names[][TPL_VAR_MAX], int max)
{
	int n = 0;
	for (const char *s = body; *s;) {
		char name[TPL_VAR_MAX];
		size_t len;
		if (!var_at(s, name, &len)) {
			s++;
			continue;
		}
		s += len;
		bool seen = false;
		for (int i = 0; i < n; i++)
			seen = seen || strcmp(names[i], name) == 0;
		if (!seen && n < max)
			memcpy(names[n++], name, sizeof name);
	}
	return n;
}

static const char *default_of(const struct tpl_default *defaults, const char *name)
{
	for (const struct tpl_default *d = defaults; d && d->name; d++)
		if (strcmp(d->name, name) == 0)
			return d->body;
	return NULL;
}

enum err tpl_render(const char *body, const struct tpl_default *defaults,
		    const char *(*lookup)(void *ctx, const char *name), void *ctx, struct buf *out,
		    char missing[TPL_VAR_MAX])
{
	missing[0] = '\0';
	for (const char *s = body; *s;) {
		char name[TPL_VAR_MAX];
		size_t len;
		enum err rc;
		if (var_at(s, name, &len)) {
			const char *v = lookup(ctx, name), *def = v ? NULL : default_of(defaults, name);
			if (def) {
				rc = tpl_render(def, NULL, lookup, ctx, out, missing);
				if (rc == ERR_NOT_FOUND) /* name it, not what its default needed */
					snprintf(missing, TPL_VAR_MAX, "%s", name);
				if (rc != ERR_OK)
					return rc;
				s += len;
				continue;
			}
			if (!v) {
				snprintf(missing, TPL_VAR_MAX, "%s", name);
				return ERR_NOT_FOUND;
			}
			rc = buf_puts(out, v);
			s += len;
		} else {
			rc = buf_append(out, s, 1);
			s++;
		}
		if (rc != ERR_OK)
			return ERR_TOO_LARGE;
	}
	return buf_puts(out, "") == ERR_OK ? ERR_OK : ERR_TOO_LARGE;
}
