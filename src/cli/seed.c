/* switchboard seed: the demo workspace (one user per role) and, with the calls
 * work, generated call data for demos and benchmarks. */
#include <string.h>

#include "cli/cli.h"
#include "core/crypto.h"
#include "domain/accounts.h"

void cli_seed_help(FILE *f)
{
	fprintf(f, "usage: switchboard seed --demo [--if-empty]\n\n"
		   "--demo       create the 'demo' workspace with one user per role (password\n"
		   "             'switchboard-demo') and print an API token for each\n"
		   "--if-empty   with --demo: do nothing (exit 0) when the database has workspaces\n\n");
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

int cli_seed(int argc, char **argv, struct config *cfg)
{
	static const char *const flags[] = {"demo", "if-empty", NULL};
	if (cli_data_flags(&argc, argv, cfg) || cli_check_args(argc, argv, 1, NULL, flags))
		return 2;
	if (!cli_flag(argc, argv, "demo")) {
		cli_seed_help(stderr);
		return 2;
	}
	struct db *db = cli_open_db(cfg);
	if (!db)
		return 1;
	int status = seed_demo(db, cli_flag(argc, argv, "if-empty"));
	db_close(db);
	return status;
}
