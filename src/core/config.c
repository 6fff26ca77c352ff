/* The settings table. Each row names a field of struct config by offset. */
#include "core/config.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum type { T_INT, T_STR, T_BOOL, T_SECRET };

struct setting {
	const char *name;
	enum type type;
	const char *def;
	int64_t min, max;
	const char *env;
	unsigned groups;
	size_t off;
	const char *help;
};

#define F(field) offsetof(struct config, field)
static const struct setting table[] = {
	{"port", T_INT, "8080", 0, 65535, "SWITCHBOARD_PORT", CFG_FLAG_SERVE, F(port), "TCP port to listen on (0 = any free port)"},
	{"bind", T_STR, "127.0.0.1", 0, 0, "SWITCHBOARD_BIND", CFG_FLAG_SERVE, F(bind), "address to bind (0.0.0.0 for all)"},
	{"data", T_STR, "./data", 0, 0, "SWITCHBOARD_DATA", CFG_FLAG_SERVE | CFG_FLAG_DATA, F(data_dir), "data directory (SQLite database, blobs, outbox)"},
	{"threads", T_INT, "0", 0, 256, "SWITCHBOARD_THREADS", CFG_FLAG_SERVE, F(threads), "HTTP worker threads (0 = one per core)"},
	{"db", T_STR, "", 0, 0, "SWITCHBOARD_DB", CFG_FLAG_SERVE | CFG_FLAG_DATA, F(db_url), "database URL (empty = sqlite:<data>/switchboard.db)"},
	{"max-body", T_INT, "1048576", 1024, 64 << 20, "SWITCHBOARD_MAX_BODY", CFG_FLAG_SERVE, F(max_body), "largest JSON request body in bytes"},
	{"cors-origins", T_STR, "", 0, 0, "SWITCHBOARD_CORS_ORIGINS", CFG_FLAG_SERVE, F(cors_origins), "comma-separated origins allowed for CORS and cookie writes"},
	{"public-url", T_STR, "", 0, 0, "SWITCHBOARD_PUBLIC_URL", CFG_FLAG_SERVE, F(public_url), "externally visible base URL (https makes cookies Secure)"},
	{"session-idle-min", T_INT, "720", 5, 60 * 24 * 30, "SWITCHBOARD_SESSION_IDLE_MIN", CFG_FLAG_SERVE, F(session_idle_min), "session idle expiry in minutes"},
	{"session-max-hours", T_INT, "168", 1, 24 * 365, "SWITCHBOARD_SESSION_MAX_HOURS", CFG_FLAG_SERVE, F(session_max_hours), "session absolute expiry in hours"},
	{"login-max-failures", T_INT, "5", 1, 1000, "SWITCHBOARD_LOGIN_MAX_FAILURES", CFG_FLAG_SERVE, F(login_max_failures), "failed logins per account or address before throttling"},
	{"login-window-sec", T_INT, "900", 10, 86400, "SWITCHBOARD_LOGIN_WINDOW_SEC", CFG_FLAG_SERVE, F(login_window_sec), "window for counting failed logins"},
	{"shutdown-grace-sec", T_INT, "10", 0, 600, "SWITCHBOARD_SHUTDOWN_GRACE_SEC", CFG_FLAG_SERVE, F(shutdown_grace_sec), "how long shutdown waits for in-flight requests"},
	{"conn-timeout-sec", T_INT, "60", 1, 3600, "SWITCHBOARD_CONN_TIMEOUT_SEC", CFG_FLAG_SERVE, F(conn_timeout_sec), "idle connection timeout"},
	{"conn-limit", T_INT, "4096", 16, 1000000, "SWITCHBOARD_CONN_LIMIT", CFG_FLAG_SERVE, F(conn_limit), "most concurrent connections"},
	{"log-level", T_STR, "info", 0, 0, "SWITCHBOARD_LOG_LEVEL", CFG_FLAG_SERVE, F(log_level), "error, warn, info or debug"},
	{"access-log", T_BOOL, "true", 0, 1, "SWITCHBOARD_ACCESS_LOG", CFG_FLAG_SERVE, F(access_log), "one JSON line per request"},
	{"test-hooks", T_BOOL, "false", 0, 1, "SWITCHBOARD_TEST_HOOKS", 0, F(test_hooks), "test-only endpoints (clock control); never in production"},
	{"email", T_STR, "outbox", 0, 0, "SWITCHBOARD_EMAIL", CFG_FLAG_SERVE, F(email), "e-mail provider: outbox (.eml files under DATA/outbox) or smtp"},
	{"smtp-url", T_STR, "", 0, 0, "SWITCHBOARD_SMTP_URL", 0, F(smtp_url), "SMTP server, smtp://host:port or smtps://host:port"},
	{"smtp-from", T_STR, "switchboard@localhost", 0, 0, "SWITCHBOARD_SMTP_FROM", 0, F(smtp_from), "sender address of alerts"},
	{"smtp-user", T_STR, "", 0, 0, "SWITCHBOARD_SMTP_USER", 0, F(smtp_user), "SMTP user name"},
	{"smtp-password", T_SECRET, "", 0, 0, "SWITCHBOARD_SMTP_PASSWORD", 0, F(smtp_password), "SMTP password (environment only)"},
	{"alert-email", T_STR, "", 0, 0, "SWITCHBOARD_ALERT_EMAIL", 0, F(alert_email), "SLA breach alerts go here (empty: owners and admins)"},
	{"telephony", T_STR, "sim", 0, 0, "SWITCHBOARD_TELEPHONY", CFG_FLAG_SERVE, F(telephony), "telephony provider: sim (built-in simulator) or twilio"},
	{"twilio-account-sid", T_STR, "", 0, 0, "SWITCHBOARD_TWILIO_ACCOUNT_SID", 0, F(twilio_account_sid), "Twilio account SID (AC...)"},
	{"twilio-auth-token", T_SECRET, "", 0, 0, "SWITCHBOARD_TWILIO_AUTH_TOKEN", 0, F(twilio_auth_token), "Twilio auth token: REST auth and webhook signatures (environment only)"},
	{"twilio-base-url", T_STR, "https://api.twilio.com", 0, 0, "SWITCHBOARD_TWILIO_BASE_URL", 0, F(twilio_base_url), "Twilio REST API base URL"},
	{"twilio-timeout-ms", T_INT, "10000", 500, 120000, "SWITCHBOARD_TWILIO_TIMEOUT_MS", 0, F(twilio_timeout_ms), "longest a Twilio REST request may take (connecting: at most 2 s of it); past it the outcome is unknown and the job looks before it retries"},
	{"webhook-allow", T_STR, "", 0, 0, "SWITCHBOARD_WEBHOOK_ALLOW", 0, F(webhook_allow), "CIDR list allowed to post webhooks (empty: any address, signatures still required)"},
	{"trusted-proxies", T_STR, "", 0, 0, "SWITCHBOARD_TRUSTED_PROXIES", 0, F(trusted_proxies), "CIDR list of proxies whose X-Forwarded-For is trusted"},
	{"transcription-secret", T_SECRET, "", 0, 0, "SWITCHBOARD_TRANSCRIPTION_SECRET", 0, F(transcription_secret), "HMAC secret of transcription webhooks (environment only)"},
	{"ai-receptionist-url", T_STR, "", 0, 0, "SWITCHBOARD_AI_RECEPTIONIST_URL", 0, F(ai_receptionist_url), "AI receptionist for numbers routed to ai: wss:// (Twilio <Connect><Stream>), https:// (<Redirect>) or sip: (<Dial><Sip>); empty: voicemail"},
	{"sim-ring-ms", T_INT, "3000", 10, 600000, "SWITCHBOARD_SIM_RING_MS", 0, F(sim_ring_ms), "simulator: ringing time of a leg"},
	{"sim-talk-ms", T_INT, "20000", 10, 3600000, "SWITCHBOARD_SIM_TALK_MS", 0, F(sim_talk_ms), "simulator: talk time of a connected leg"},
	{"sms", T_STR, "sim", 0, 0, "SWITCHBOARD_SMS", CFG_FLAG_SERVE, F(sms), "SMS provider: sim (built-in simulator) or twilio (the Twilio settings above)"},
	{"sms-price-micros", T_INT, "7900", 0, 100000000, "SWITCHBOARD_SMS_PRICE_MICROS", 0, F(sms_price_micros), "price of one SMS segment in millionths of a dollar (7900 = $0.0079)"},
	{"sms-vendor-keyword-replies", T_BOOL, "false", 0, 1, "SWITCHBOARD_SMS_VENDOR_KEYWORD_REPLIES", 0, F(sms_vendor_keyword_replies), "the vendor answers STOP, START and HELP itself (Twilio's default STOP filtering on long codes): keywords still change the opt-in state, but no reply of ours is sent"},
	{"sms-default-mps", T_INT, "10", 1, 1000, "SWITCHBOARD_SMS_DEFAULT_MPS", 0, F(sms_default_mps), "A2P messages per second of a workspace without its own setting"},
	{"sms-default-daily-cap", T_INT, "2000", 1, 100000000, "SWITCHBOARD_SMS_DEFAULT_DAILY_CAP", 0, F(sms_default_daily_cap), "A2P segments per day (midnight to midnight in the campaign's capTimeZone, America/Los_Angeles unless set) of a workspace without its own setting"},
	{"sms-reconcile-after-sec", T_INT, "600", 1, 86400, "SWITCHBOARD_SMS_RECONCILE_AFTER_SEC", 0, F(sms_reconcile_after_sec), "a sent message without a final delivery receipt for this long is asked of the vendor (receipts lost while down)"},
	{"sms-reconcile-max-age-hours", T_INT, "72", 1, 24 * 90, "SWITCHBOARD_SMS_RECONCILE_MAX_AGE_HOURS", 0, F(sms_reconcile_max_age_hours), "messages accepted longer ago than this are no longer asked of the vendor"},
	{"bulk-workers", T_INT, "2", 1, 16, "SWITCHBOARD_BULK_WORKERS", 0, F(bulk_workers), "threads running bulk and export jobs"},
	{"bulk-chunk", T_INT, "500", 1, 10000, "SWITCHBOARD_BULK_CHUNK", 0, F(bulk_chunk), "calls changed per bulk transaction"},
	{"bulk-lease-ms", T_INT, "30000", 500, 3600000, "SWITCHBOARD_BULK_LEASE_MS", 0, F(bulk_lease_ms), "a bulk job silent this long is resumed by another worker (crash recovery)"},
	{"bulk-chunk-delay-ms", T_INT, "0", 0, 60000, "SWITCHBOARD_BULK_CHUNK_DELAY_MS", 0, F(bulk_chunk_delay_ms), "test-only: pause after each bulk chunk"},
	{"export-secret", T_SECRET, "", 0, 0, "SWITCHBOARD_EXPORT_SECRET", 0, F(export_secret), "signs export download links (environment only; empty: a key kept in DATA)"},
	{"export-link-ttl-sec", T_INT, "86400", 10, 30 * 86400, "SWITCHBOARD_EXPORT_LINK_TTL_SEC", 0, F(export_link_ttl_sec), "how long an export download link stays valid"},
	{"export-email-rows", T_INT, "10000", 0, 1000000000, "SWITCHBOARD_EXPORT_EMAIL_ROWS", 0, F(export_email_rows), "exports of at least this many rows are announced by e-mail"},
	{"scheduler-ms", T_INT, "1000", 10, 60000, "SWITCHBOARD_SCHEDULER_MS", 0, F(scheduler_ms), "how often SLA notices are checked and SMS messages needing a receipt reconcile looked for"},
};
#undef F
#define NSET (sizeof table / sizeof table[0])

static const struct setting *find(const char *name, size_t len)
{
	for (size_t i = 0; i < NSET; i++)
		if (strlen(table[i].name) == len && strncmp(table[i].name, name, len) == 0)
			return &table[i];
	return NULL;
}

static enum err apply(struct config *c, const struct setting *s, const char *v, const char *origin,
		      struct err_detail *d)
{
	char *field = (char *)c + s->off;
	switch (s->type) {
	case T_INT: {
		char *end;
		errno = 0;
		long long n = strtoll(v, &end, 10);
		if (errno || end == v || *end)
			return err_set(d, ERR_INVALID, "%s: '%s' is not a whole number", origin, v);
		if (n < s->min || n > s->max)
			return err_set(d, ERR_INVALID, "%s: %lld is outside %" PRId64 "..%" PRId64, origin,
				       n, s->min, s->max);
		*(int64_t *)(void *)field = n;
		return ERR_OK;
	}
	case T_BOOL: {
		bool b;
		if (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "on"))
			b = true;
		else if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "off"))
			b = false;
		else
			return err_set(d, ERR_INVALID, "%s: '%s' is not true or false", origin, v);
		*(bool *)(void *)field = b;
		return ERR_OK;
	}
	case T_STR:
	case T_SECRET: {
		char *copy = strdup(v);
		if (!copy)
			return ERR_NOMEM;
		char **slot = (char **)(void *)field;
		free(*slot);
		*slot = copy;
		return ERR_OK;
	}
	}
	return ERR_INTERNAL;
}

static enum err validate(const struct config *c, struct err_detail *d)
{
	if (strcmp(c->log_level, "error") && strcmp(c->log_level, "warn") &&
	    strcmp(c->log_level, "info") && strcmp(c->log_level, "debug"))
		return err_set(d, ERR_INVALID, "log-level (SWITCHBOARD_LOG_LEVEL): '%s' is not error, warn, info or debug", c->log_level);
	if (!c->data_dir[0])
		return err_set(d, ERR_INVALID, "data (SWITCHBOARD_DATA): must not be empty");
	if (strcmp(c->telephony, "sim") && strcmp(c->telephony, "twilio"))
		return err_set(d, ERR_INVALID, "telephony (SWITCHBOARD_TELEPHONY): '%s' is not sim or twilio", c->telephony);
	if (!strcmp(c->telephony, "twilio") && (!c->twilio_account_sid[0] || !c->twilio_auth_token[0]))
		return err_set(d, ERR_INVALID, "telephony twilio needs SWITCHBOARD_TWILIO_ACCOUNT_SID and SWITCHBOARD_TWILIO_AUTH_TOKEN");
	if (strcmp(c->sms, "sim") && strcmp(c->sms, "twilio"))
		return err_set(d, ERR_INVALID, "sms (SWITCHBOARD_SMS): '%s' is not sim or twilio", c->sms);
	if (!strcmp(c->sms, "twilio") && (!c->twilio_account_sid[0] || !c->twilio_auth_token[0]))
		return err_set(d, ERR_INVALID, "sms twilio needs SWITCHBOARD_TWILIO_ACCOUNT_SID and SWITCHBOARD_TWILIO_AUTH_TOKEN");
	if (strcmp(c->email, "outbox") && strcmp(c->email, "smtp"))
		return err_set(d, ERR_INVALID, "email (SWITCHBOARD_EMAIL): '%s' is not outbox or smtp", c->email);
	if (!strcmp(c->email, "smtp") && strncmp(c->smtp_url, "smtp://", 7) && strncmp(c->smtp_url, "smtps://", 8))
		return err_set(d, ERR_INVALID, "smtp-url (SWITCHBOARD_SMTP_URL): must be smtp://host:port or smtps://host:port");
	if (c->ai_receptionist_url[0] && strncmp(c->ai_receptionist_url, "wss://", 6) &&
	    strncmp(c->ai_receptionist_url, "https://", 8) && strncmp(c->ai_receptionist_url, "http://", 7) &&
	    strncmp(c->ai_receptionist_url, "sip:", 4))
		return err_set(d, ERR_INVALID, "ai-receptionist-url (SWITCHBOARD_AI_RECEPTIONIST_URL): must start with wss://, https://, http:// or sip:");
	if (c->db_url[0] && strncmp(c->db_url, "sqlite:", 7) != 0)
		return err_set(d, ERR_INVALID, "db (SWITCHBOARD_DB): only sqlite:PATH is supported by this build");
	return ERR_OK;
}

enum err config_load(struct config *c, struct err_detail *d)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < NSET; i++) {
		enum err rc = apply(c, &table[i], table[i].def, table[i].name, d);
		if (rc != ERR_OK)
			return rc;
	}
	for (size_t i = 0; i < NSET; i++) {
		const char *v = getenv(table[i].env);
		if (!v)
			continue;
		enum err rc = apply(c, &table[i], v, table[i].env, d);
		if (rc != ERR_OK)
			return rc;
	}
	return validate(c, d);
}

void config_cleanup(struct config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < NSET; i++) {
		if (table[i].type != T_STR && table[i].type != T_SECRET)
			continue;
		char **slot = (char **)(void *)((char *)c + table[i].off);
		free(*slot);
		*slot = NULL;
	}
}

enum err config_set(struct config *c, const char *name, const char *value, struct err_detail *d)
{
	const struct setting *s = find(name, strlen(name));
	if (!s)
		return err_set(d, ERR_INVALID, "unknown setting '%s'", name);
	enum err rc = apply(c, s, value, name, d);
	return rc != ERR_OK ? rc : validate(c, d);
}

enum err config_parse_flags(struct config *c, unsigned groups, int *argc, char **argv, struct err_detail *d)
{
	int out = 1;
	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2) != 0) {
			argv[out++] = argv[i];
			continue;
		}
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
		const struct setting *s = find(name, nlen);
		if (!s || !(s->groups & groups)) {
			argv[out++] = argv[i];
			continue;
		}
		const char *v = eq ? eq + 1 : NULL;
		if (!v) {
			if (s->type == T_BOOL) {
				v = "true";
			} else if (i + 1 < *argc) {
				v = argv[++i];
			} else {
				return err_set(d, ERR_INVALID, "--%s needs a value", s->name);
			}
		}
		char origin[64];
		snprintf(origin, sizeof origin, "--%s", s->name);
		enum err rc = apply(c, s, v, origin, d);
		if (rc != ERR_OK)
			return rc;
	}
	argv[out] = NULL;
	*argc = out;
	return validate(c, d);
}

void config_print_flags(FILE *f, unsigned groups)
{
	for (size_t i = 0; i < NSET; i++) {
		if (!(table[i].groups & groups))
			continue;
		fprintf(f, "  --%-20s %s (env %s, default '%s')\n", table[i].name, table[i].help,
			table[i].env, table[i].def);
	}
}

void config_print(FILE *f, const struct config *c)
{
	for (size_t i = 0; i < NSET; i++) {
		const struct setting *s = &table[i];
		const char *p = (const char *)c + s->off;
		const char *src = getenv(s->env) ? "env" : "default";
		switch (s->type) {
		case T_INT:
			fprintf(f, "%-20s %-24" PRId64 " %-8s %s\n", s->name, *(const int64_t *)(const void *)p, src, s->env);
			break;
		case T_BOOL:
			fprintf(f, "%-20s %-24s %-8s %s\n", s->name, *(const bool *)(const void *)p ? "true" : "false", src, s->env);
			break;
		case T_STR:
			fprintf(f, "%-20s %-24s %-8s %s\n", s->name, *(char *const *)(const void *)p, src, s->env);
			break;
		case T_SECRET:
			fprintf(f, "%-20s %-24s %-8s %s\n", s->name, **(char *const *)(const void *)p ? "(set)" : "(unset)",
				src, s->env);
			break;
		}
	}
}

char *config_db_url(const struct config *c)
{
	if (c->db_url[0])
		return strdup(c->db_url);
	size_t n = strlen(c->data_dir) + 32;
	char *u = malloc(n);
	if (u)
		snprintf(u, n, "sqlite:%s/switchboard.db", c->data_dir);
	return u;
}

bool config_origin_allowed(const struct config *c, const char *origin, size_t len)
{
	const char *p = c->cors_origins;
	while (p && *p) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *e = p;
		while (*e && *e != ',' && *e != ' ')
			e++;
		if ((size_t)(e - p) == len && len && strncmp(p, origin, len) == 0)
			return true;
		p = e;
	}
	return false;
}
