/* Settings: one typed table (name, type, default, bounds, environment variable,
 * help) drives the command-line flags, the environment, --help and
 * `switchboard config check`. A struct config is filled once at start-up and
 * is read-only afterwards. */
#ifndef SB_CORE_CONFIG_H
#define SB_CORE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"

struct config {
	int64_t port;
	char *bind;
	char *data_dir;
	int64_t threads;           /* 0 = one per core */
	char *db_url;              /* "" = sqlite:<data_dir>/switchboard.db */
	int64_t max_body;          /* bytes of a JSON request body */
	char *cors_origins;        /* comma-separated origins trusted for CORS and CSRF */
	char *public_url;          /* externally visible base URL; https here makes cookies Secure */
	int64_t session_idle_min;
	int64_t session_max_hours;
	int64_t login_max_failures;
	int64_t login_window_sec;
	int64_t shutdown_grace_sec;
	int64_t conn_timeout_sec;
	int64_t conn_limit;
	char *log_level;
	bool access_log;
	bool test_hooks;           /* test-only endpoints (clock offset); never in production */
	char *email;               /* outbox | smtp */
	char *smtp_url;            /* smtp://host:port or smtps:// */
	char *smtp_from;
	char *smtp_user;
	char *smtp_password;       /* secret: environment only */
	char *alert_email;         /* where SLA breach alerts go ("" = the workspace's owners and admins) */
	int64_t scheduler_ms;      /* how often the SLA scheduler looks for due notices */
	char *telephony;           /* sim | twilio */
	char *twilio_account_sid;
	char *twilio_auth_token;   /* secret: environment only; also the webhook signing key */
	char *twilio_base_url;     /* REST API base; tests point it at a local stand-in */
	int64_t twilio_timeout_ms; /* longest a Twilio REST request may take, all in */
	char *webhook_allow;       /* CIDR list of addresses allowed to post webhooks ("" = any) */
	char *trusted_proxies;     /* CIDR list whose X-Forwarded-For is believed */
	char *transcription_secret; /* secret: environment only */
	char *ai_receptionist_url; /* where "ai" routing sends inbound calls: wss:// (media stream), https:// (TwiML redirect), sip: ("" = voicemail) */
	int64_t sim_ring_ms;       /* simulator: how long a leg rings */
	int64_t sim_talk_ms;       /* simulator: how long a connected leg lasts */
	char *sms;                 /* sim | twilio (Twilio settings shared with telephony) */
	int64_t sms_price_micros;  /* price of one SMS segment, in millionths of a dollar */
	int64_t sms_default_mps;   /* A2P messages per second of a workspace that set none */
	int64_t sms_default_daily_cap; /* A2P daily segments of a workspace that set none (the cap zone's day) */
	bool sms_vendor_keyword_replies; /* the vendor answers STOP/START/HELP itself (Twilio's default for long codes) */
	int64_t sms_reconcile_after_sec; /* a message this long without a final receipt is asked of the vendor */
	int64_t sms_reconcile_max_age_hours; /* ... unless it was accepted longer ago than this */
	/* bulk operations and exports (issue 7) */
	int64_t bulk_workers;      /* threads running bulk and export jobs */
	int64_t bulk_chunk;        /* calls per chunk transaction */
	int64_t bulk_lease_ms;     /* a job not renewed for this long is taken over (crash recovery) */
	int64_t bulk_chunk_delay_ms; /* test-only: pause after each chunk (makes progress observable) */
	char *export_secret;       /* secret: signs download links ("" = a key kept in DATA) */
	int64_t export_link_ttl_sec;
	int64_t export_email_rows; /* an export of at least this many rows is announced by e-mail */
};

/* The settings a subcommand takes on its command line (others still come from env). */
#define CFG_FLAG_SERVE (1u << 0)
#define CFG_FLAG_DATA  (1u << 1)   /* commands that only need the data dir / db */

/* Defaults, then environment. Errors name the variable. */
enum err config_load(struct config *c, struct err_detail *d);
void config_cleanup(struct config *c);
/* Set one setting by name ("port") from text, with type and bounds checks. */
enum err config_set(struct config *c, const char *name, const char *value, struct err_detail *d);
/* Consume --name VALUE / --name=VALUE flags of the settings in `groups`; other
 * arguments are left in argv (compacted), *argc updated. */
enum err config_parse_flags(struct config *c, unsigned groups, int *argc, char **argv, struct err_detail *d);
/* Help lines for the flags of `groups`. */
void config_print_flags(FILE *f, unsigned groups);
/* Every setting with its effective value and where it came from (secrets masked). */
void config_print(FILE *f, const struct config *c);
/* The database URL, resolving the default; caller frees. */
char *config_db_url(const struct config *c);
/* True when origin (e.g. "https://app.example.com") is in cors_origins. */
bool config_origin_allowed(const struct config *c, const char *origin, size_t len);

#endif
