/* switchboard dnc import|export: the workspace's do-not-contact list as CSV
 * from the command line (the same code as GET/POST /api/dnc/import), for
 * operators loading a national-registry snapshot or keeping a copy. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "domain/dnc.h"
#include "store/accounts.h"

void cli_dnc_help(FILE *f)
{
	fprintf(f, "usage: switchboard dnc import --workspace SLUG [--registry [--registry-date YYYY-MM-DD]] FILE|-\n"
		   "       switchboard dnc export --workspace SLUG\n\n"
		   "import reads CSV (header row; columns number,reason,source,channels,expiresAt) from FILE or\n"
		   "standard input, applies every valid line and prints the counts and each invalid line.\n"
		   "--registry marks it as a national do-not-call registry snapshot (warned about after %d days).\n"
		   "export writes the list as CSV to standard output.\n\n",
		DNC_REGISTRY_MAX_AGE_DAYS);
	config_print_flags(f, CFG_FLAG_DATA);
}

/* Reads all of path ("-": stdin) into b. */
static enum err slurp(const char *path, struct buf *b)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!in)
		return ERR_IO;
	char chunk[65536];
	size_t n;
	enum err rc = ERR_OK;
	while (rc == ERR_OK && (n = fread(chunk, 1, sizeof chunk, in)) > 0)
		rc = buf_append(b, chunk, n);
	if (rc == ERR_OK && ferror(in))
		rc = ERR_IO;
	if (in != stdin)
		fclose(in);
	return rc;
}

static int report(enum err rc, const struct err_detail *d)
{
	if (d->nfields)
		fprintf(stderr, "switchboard: %s %s\n", d->fields[0].field, d->fields[0].message);
	else
		fprintf(stderr, "switchboard: %s\n", d->detail[0] ? d->detail : err_str(rc));
	return rc == ERR_INVALID || rc == ERR_NOT_FOUND ? 2 : 1;
}

static enum err run_import(struct db *db, const struct principal *p, const char *file, bool registry,
			   int64_t registry_date, struct arena *a, struct err_detail *d)
{
	struct buf b;
	buf_init(&b, DNC_EXPORT_MAX);
	enum err rc = slurp(file, &b);
	if (rc == ERR_IO)
		err_set(d, rc, "cannot read %s", file);
	struct dnc_import_result res;
	if (rc == ERR_OK)
		rc = dnc_import(db, p, buf_cstr(&b), b.len, registry, registry_date, a, &res, d);
	buf_cleanup(&b);
	if (rc != ERR_OK)
		return rc;
	printf("imported %lld, updated %lld, invalid %lld\n", (long long)res.imported, (long long)res.updated,
	       (long long)res.invalid);
	for (int i = 0; i < res.nbad; i++)
		printf("line %lld: %s\n", (long long)res.bad[i].line, res.bad[i].error);
	for (int i = 0; i < res.status.nwarnings; i++)
		fprintf(stderr, "warning: %s\n", res.status.warnings[i]);
	return ERR_OK;
}

static enum err run_export(struct db *db, const char *workspace_id)
{
	struct buf b;
	buf_init(&b, DNC_EXPORT_MAX);
	enum err rc = dnc_export(db, workspace_id, &b);
	if (rc == ERR_OK && b.len && fwrite(b.data, 1, b.len, stdout) != b.len)
		rc = ERR_IO;
	buf_cleanup(&b);
	return rc;
}

int cli_dnc(int argc, char **argv, struct config *cfg)
{
	static const char *const valued[] = {"workspace", "registry-date", NULL};
	static const char *const flags[] = {"registry", NULL};
	if (cli_data_flags(&argc, argv, cfg))
		return 2;
	bool import = argc >= 2 && !strcmp(argv[1], "import"), export = argc >= 2 && !strcmp(argv[1], "export");
	if (!import && !export) {
		cli_dnc_help(stderr);
		return 2;
	}
	/* import takes one positional FILE last. */
	const char *file = import && argc >= 3 && (argv[argc - 1][0] != '-' || !strcmp(argv[argc - 1], "-")) ?
				   argv[argc - 1] : NULL;
	if (cli_check_args(file ? argc - 1 : argc, argv, 2, valued, flags))
		return 2;
	const char *slug = cli_opt(argc, argv, "workspace"), *date = cli_opt(argc, argv, "registry-date");
	bool registry = cli_flag(argc, argv, "registry");
	int64_t registry_date = 0;
	char iso[40];
	if (!slug || (import && !file)) {
		fprintf(stderr, "switchboard: dnc %s needs --workspace%s\n", argv[1], import ? " and a FILE (or -)" : "");
		return 2;
	}
	if (date && (!registry || strlen(date) != 10 || snprintf(iso, sizeof iso, "%sT00:00:00Z", date) < 0 ||
		     !clock_parse_rfc3339(iso, &registry_date))) {
		fprintf(stderr, "switchboard: --registry-date is YYYY-MM-DD and goes with --registry\n");
		return 2;
	}
	struct db *db = cli_open_db(cfg);
	if (!db)
		return 1;
	struct workspace ws;
	struct err_detail d = {0};
	struct arena *a = arena_new();
	enum err rc = a ? store_workspace_by_slug(db, slug, &ws) : ERR_NOMEM;
	if (rc == ERR_NOT_FOUND)
		err_set(&d, rc, "no workspace %s", slug);
	if (rc == ERR_OK && export) {
		rc = run_export(db, ws.id);
	} else if (rc == ERR_OK) {
		struct principal p = {.role = ROLE_OWNER};
		snprintf(p.workspace_id, sizeof p.workspace_id, "%s", ws.id);
		snprintf(p.workspace_slug, sizeof p.workspace_slug, "%s", ws.slug);
		snprintf(p.email, sizeof p.email, "cli");
		rc = run_import(db, &p, file, registry, registry_date, a, &d);
	}
	int status = rc == ERR_OK ? 0 : report(rc, &d);
	arena_free(a);
	db_close(db);
	return status;
}
