/* switchboard spam train: teaches a workspace's spam model from the calls it
 * already has (flagged spam, or answered/booked/callback), e.g. right after
 * `switchboard seed`. Prints how many examples were counted. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/spam.h"
#include "store/accounts.h"

void cli_spam_help(FILE *f)
{
	fprintf(f, "usage: switchboard spam train --workspace SLUG [--limit N]\n\n"
		   "Trains the workspace's spam model with its newest N labelled inbound calls (default 2000):\n"
		   "spam-flagged calls as spam, answered/booked/callback calls as not spam. Re-running it\n"
		   "re-labels the same calls; nothing is counted twice.\n\n");
	config_print_flags(f, CFG_FLAG_DATA);
}

int cli_spam(int argc, char **argv, struct config *cfg)
{
	static const char *const valued[] = {"workspace", "limit", NULL};
	if (cli_data_flags(&argc, argv, cfg))
		return 2;
	if (argc < 2 || strcmp(argv[1], "train") != 0) {
		cli_spam_help(stderr);
		return 2;
	}
	if (cli_check_args(argc, argv, 2, valued, NULL))
		return 2;
	const char *slug = cli_opt(argc, argv, "workspace"), *lim = cli_opt(argc, argv, "limit");
	char *end = NULL;
	long limit = lim ? strtol(lim, &end, 10) : 2000;
	if (!slug || (lim && (*end || limit < 1 || limit > 1000000))) {
		fprintf(stderr, "switchboard: spam train needs --workspace; --limit is 1..1000000\n");
		return 2;
	}
	struct db *db = cli_open_db(cfg);
	if (!db)
		return 1;
	struct workspace ws;
	struct err_detail d = {0};
	int trained = 0;
	enum err rc = store_workspace_by_slug(db, slug, &ws);
	if (rc == ERR_NOT_FOUND)
		err_set(&d, rc, "no workspace %s", slug);
	if (rc == ERR_OK)
		rc = spam_bootstrap(db, ws.id, (int)limit, &trained, &d);
	if (rc == ERR_OK)
		printf("trained=%d\n", trained);
	else
		fprintf(stderr, "switchboard: %s\n", d.detail[0] ? d.detail : err_str(rc));
	db_close(db);
	return rc == ERR_OK ? 0 : rc == ERR_NOT_FOUND ? 2 : 1;
}
