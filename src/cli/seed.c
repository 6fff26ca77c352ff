/* switchboard seed: the demo workspace (one user per role) and generated call
 * data for demos and benchmarks (--calls N, see domain/seed.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "domain/accounts.h"
#include "domain/seed.h"

#define DAY_MS 86400000LL

void cli_seed_help(FILE *f)
{
	fprintf(f, "usage: switchboard seed --demo [--if-empty]\n"
		   "       switchboard seed --calls N [--workspace SLUG] [--seed S] [--now RFC3339] [--days D]\n\n"
		   "--demo       create the 'demo' workspace with one user per role (password\n"
		   "             'switchboard-demo') and print an API token for each\n"
		   "--if-empty   with --demo: do nothing (exit 0) when the database has workspaces\n"
		   "--calls N    generate N calls (1..%d) with contacts, jobs, follow-ups, tags and\n"
		   "             transcripts; deterministic for a given seed, now and database state.\n"
		   "             Running it again into the same workspace adds N more calls.\n"
		   "--workspace  workspace slug for --calls (default demo; created when missing)\n"
		   "--seed S     PRNG seed, a non-negative integer (default 1)\n"
		   "--now T      the end of the generated period (default: today 00:00 UTC)\n"
		   "--days D     length of the period in days (default %d)\n\n"
		   "From 100,000 calls on, the calls go in as one transaction (all or nothing) that\n"
		   "rebuilds the calls indexes at its end; it is fastest with no server running on\n"
		   "the database. Progress goes to stderr; a summary line (rows per table, digest,\n"
		   "seconds) to stdout.\n\n",
		SEED_MAX_CALLS, SEED_DEFAULT_DAYS);
	config_print_flags(f, CFG_FLAG_DATA);
}

static int seed_demo(struct db *db, int if_empty)
{
	char out[2048];
	struct err_detail d = {0};
	enum err rc = accounts_seed_demo(db, out, sizeof out, &d);
	if (rc == ERR_CONFLICT && if_empty) {
		printf("demo data: the database already has workspaces; nothing seeded.\n"
		       "Tokens were printed on first start; make another with:\n"
		       "  ./switchboard token create --workspace demo --role dispatcher\n");
		return 0;
	}
	if (rc != ERR_OK) {
		fprintf(stderr, "switchboard: seed: %s\n", d.detail[0] ? d.detail : err_str(rc));
		return 1;
	}
	printf("demo workspace 'demo' created. Users (password 'switchboard-demo') and API tokens:\n\n%s\n"
	       "Try: curl -H \"Authorization: Bearer <token>\" http://127.0.0.1:8080/api/me\n", out);
	crypto_wipe(out, sizeof out);
	return 0;
}

/* A whole non-negative decimal integer in [0, max]. */
static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	if (!s || *s < '0' || *s > '9')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

struct progress {
	int64_t t0;         /* clock_mono_us at the start */
	const char *stage;  /* last printed */
	int64_t tenth;
};

/* One stderr line per stage and tenth of the way. */
static void on_progress(void *ctx, int64_t done, int64_t total, const char *stage)
{
	struct progress *p = ctx;
	int64_t tenth = total > 0 ? done * 10 / total : 0;
	if (stage == p->stage && tenth == p->tenth)
		return;
	p->stage = stage;
	p->tenth = tenth;
	fprintf(stderr, "seed: %s %lld/%lld (%.1f s)\n", stage, (long long)done, (long long)total,
		(double)(clock_mono_us() - p->t0) / 1e6);
}

/* Reads --calls and friends into o; 0 or exit status 2 (reported). */
static int calls_opts(int argc, char **argv, struct seed_opts *o)
{
	uint64_t v;
	const char *s = cli_opt(argc, argv, "calls");
	if (!parse_u64(s, SEED_MAX_CALLS, &v) || v == 0) {
		fprintf(stderr, "switchboard: seed: --calls must be a whole number from 1 to %d (got '%s')\n",
			SEED_MAX_CALLS, s ? s : "");
		return 2;
	}
	o->calls = (int64_t)v;
	o->workspace = cli_opt(argc, argv, "workspace") ? cli_opt(argc, argv, "workspace") : "demo";
	if (!accounts_slug_valid(o->workspace)) {
		fprintf(stderr, "switchboard: seed: --workspace '%s' must be 2-63 of a-z, 0-9 and '-'\n", o->workspace);
		return 2;
	}
	o->seed = 1;
	if ((s = cli_opt(argc, argv, "seed")) && !parse_u64(s, UINT64_MAX, &o->seed)) {
		fprintf(stderr, "switchboard: seed: --seed must be a non-negative whole number (got '%s')\n", s);
		return 2;
	}
	o->now = clock_real_ms() / DAY_MS * DAY_MS;
	if ((s = cli_opt(argc, argv, "now")) && !clock_parse_rfc3339(s, &o->now)) {
		fprintf(stderr, "switchboard: seed: --now must be an RFC 3339 time like 2025-06-01T00:00:00Z (got '%s')\n", s);
		return 2;
	}
	o->days = SEED_DEFAULT_DAYS;
	if ((s = cli_opt(argc, argv, "days"))) {
		if (!parse_u64(s, 3650, &v) || v == 0) {
			fprintf(stderr, "switchboard: seed: --days must be a whole number from 1 to 3650 (got '%s')\n", s);
			return 2;
		}
		o->days = (int)v;
	}
	return 0;
}

static int seed_data(struct db *db, struct seed_opts *o)
{
	struct progress p = {.t0 = clock_mono_us(), .tenth = -1};
	o->progress = on_progress;
	o->progress_ctx = &p;
	struct seed_summary s;
	struct err_detail d = {0};
	enum err rc = seed_calls(db, o, &s, &d);
	if (rc != ERR_OK) {
		if (d.nfields)
			fprintf(stderr, "switchboard: seed: --%s %s\n", d.fields[0].field, d.fields[0].message);
		else
			fprintf(stderr, "switchboard: seed: %s\n", d.detail[0] ? d.detail : err_str(rc));
		return rc == ERR_INVALID ? 2 : 1;
	}
	char now[32];
	clock_format_rfc3339(o->now, now, sizeof now);
	printf("seeded workspace=%s seed=%llu now=%s days=%d calls=%lld contacts=%lld contact_phones=%lld jobs=%lld"
	       " job_assignments=%lld call_tags=%lld transcripts=%lld followups=%lld tracking_numbers=%lld users=%lld"
	       " missed=%lld spam=%lld ai=%lld booked=%lld first_time=%lld after_hours=%lld triage=%lld known=%lld"
	       " digest=%016llx seconds=%.1f\n",
	       o->workspace, (unsigned long long)o->seed, now, o->days, (long long)s.calls, (long long)s.contacts,
	       (long long)s.phones, (long long)s.jobs, (long long)s.assignments, (long long)s.tags,
	       (long long)s.transcripts, (long long)s.followups, (long long)s.numbers, (long long)s.users,
	       (long long)s.missed, (long long)s.spam, (long long)s.ai, (long long)s.booked, (long long)s.first_time,
	       (long long)s.after_hours, (long long)s.triage, (long long)s.known, (unsigned long long)s.digest,
	       s.seconds);
	return 0;
}

int cli_seed(int argc, char **argv, struct config *cfg)
{
	static const char *const flags[] = {"demo", "if-empty", NULL};
	static const char *const valued[] = {"calls", "workspace", "seed", "now", "days", NULL};
	if (cli_data_flags(&argc, argv, cfg) || cli_check_args(argc, argv, 1, valued, flags))
		return 2;
	bool demo = cli_flag(argc, argv, "demo"), calls = cli_opt(argc, argv, "calls") != NULL;
	if (!demo && !calls) {
		cli_seed_help(stderr);
		return 2;
	}
	struct seed_opts o = {0};
	if (calls && calls_opts(argc, argv, &o) != 0)
		return 2;
	struct db *db = cli_open_db(cfg);
	if (!db)
		return 1;
	int status = demo ? seed_demo(db, cli_flag(argc, argv, "if-empty")) : 0;
	if (status == 0 && calls)
		status = seed_data(db, &o);
	db_close(db);
	return status;
}
