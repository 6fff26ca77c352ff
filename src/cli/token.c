/* switchboard token create: prints only the new token, for TOKEN=$(...). */
#include <string.h>

#include "cli/cli.h"
#include "core/crypto.h"
#include "domain/accounts.h"

void cli_token_help(FILE *f)
{
	fprintf(f, "usage: switchboard token create --workspace SLUG --role ROLE [--email EMAIL]\n\n"
		   "Creates the workspace and user if missing and prints a new API token (only the token).\n"
		   "ROLE is viewer, tech, dispatcher, admin or owner. Without --email the token belongs to\n"
		   "the workspace's service user for that role.\n\n");
	config_print_flags(f, CFG_FLAG_DATA);
}

int cli_token(int argc, char **argv, struct config *cfg)
{
	static const char *const valued[] = {"workspace", "role", "email", NULL};
	if (cli_data_flags(&argc, argv, cfg))
		return 2;
	if (argc < 2 || strcmp(argv[1], "create") != 0) {
		cli_token_help(stderr);
		return 2;
	}
	if (cli_check_args(argc, argv, 2, valued, NULL))
		return 2;
	const char *slug = cli_opt(argc, argv, "workspace"), *role = cli_opt(argc, argv, "role");
	if (!slug || !role) {
		fprintf(stderr, "switchboard: token create needs --workspace and --role\n");
		return 2;
	}
	struct db *db = cli_open_db(cfg);
	if (!db)
		return 1;
	char token[TOKEN_SIZE];
	struct err_detail d = {0};
	enum err rc = accounts_token_create(db, slug, role_parse(role), cli_opt(argc, argv, "email"), token, &d);
	db_close(db);
	if (rc != ERR_OK) {
		fprintf(stderr, "switchboard: %s\n", d.detail[0] ? d.detail : err_str(rc));
		return rc == ERR_INVALID || rc == ERR_CONFLICT ? 2 : 1;
	}
	printf("%s\n", token);
	crypto_wipe(token, sizeof token);
	return 0;
}
