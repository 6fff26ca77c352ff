/* switchboard user add: a user with a role in a workspace (password from stdin). */
#include <string.h>

#include "cli/cli.h"
#include "core/crypto.h"
#include "core/phone.h"
#include "domain/accounts.h"

void cli_user_help(FILE *f)
{
	fprintf(f, "usage: switchboard user add --workspace SLUG --email EMAIL --role ROLE\n"
		   "                            [--name NAME] [--phone NUMBER] [--password-stdin]\n\n"
		   "Adds a user (creating the workspace if missing). With --password-stdin the first line\n"
		   "of standard input is the password (at least 8 characters), so it never shows in argv.\n\n");
	config_print_flags(f, CFG_FLAG_DATA);
}

static int read_password(char *out, size_t n)
{
	if (!fgets(out, (int)n, stdin)) {
		fprintf(stderr, "switchboard: no password on standard input\n");
		return 2;
	}
	out[strcspn(out, "\r\n")] = 0;
	return 0;
}

int cli_user(int argc, char **argv, struct config *cfg)
{
	static const char *const valued[] = {"workspace", "email", "role", "name", "phone", NULL};
	static const char *const flags[] = {"password-stdin", NULL};
	if (cli_data_flags(&argc, argv, cfg))
		return 2;
	if (argc < 2 || strcmp(argv[1], "add") != 0) {
		cli_user_help(stderr);
		return 2;
	}
	if (cli_check_args(argc, argv, 2, valued, flags))
		return 2;
	char password[1024] = "", phone[PHONE_E164_SIZE] = "";
	const char *raw_phone = cli_opt(argc, argv, "phone");
	struct new_user nu = {
		.workspace_slug = cli_opt(argc, argv, "workspace"),
		.email = cli_opt(argc, argv, "email"),
		.role = role_parse(cli_opt(argc, argv, "role")),
		.name = cli_opt(argc, argv, "name"),
	};
	if (!nu.workspace_slug || !nu.email) {
		fprintf(stderr, "switchboard: user add needs --workspace, --email and --role\n");
		return 2;
	}
	if (raw_phone) {
		if (phone_normalize(raw_phone, PHONE_DEFAULT_REGION, phone, sizeof phone) != ERR_OK) {
			fprintf(stderr, "switchboard: --phone: '%s' is not a phone number\n", raw_phone);
			return 2;
		}
		nu.phone = phone;
	}
	if (cli_flag(argc, argv, "password-stdin")) {
		if (read_password(password, sizeof password))
			return 2;
		nu.password = password;
	}
	struct db *db = cli_open_db(cfg);
	if (!db)
		return 1;
	struct user u;
	struct err_detail d = {0};
	enum err rc = accounts_user_add(db, &nu, &u, &d);
	crypto_wipe(password, sizeof password);
	db_close(db);
	if (rc != ERR_OK) {
		fprintf(stderr, "switchboard: %s\n", d.detail[0] ? d.detail : err_str(rc));
		return rc == ERR_INVALID || rc == ERR_CONFLICT ? 2 : 1;
	}
	printf("%s\n", u.id);
	return 0;
}
