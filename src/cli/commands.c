/* The subcommand table and helpers shared by subcommands. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/log.h"
#include "store/db.h"
#include "store/migrate.h"

const struct cli_command cli_commands[] = {
	{"serve", "run the HTTP server", cli_serve, cli_serve_help},
	{"migrate", "apply database migrations", cli_migrate, cli_migrate_help},
	{"seed", "create demo or benchmark data", cli_seed, cli_seed_help},
	{"token", "create API tokens", cli_token, cli_token_help},
	{"user", "add users to a workspace", cli_user, cli_user_help},
	{"config", "check and print the configuration", cli_config, cli_config_help},
	{"routes", "list the HTTP routes the server answers", cli_routes, cli_routes_help},
	{"number", "add tracking numbers to a workspace", cli_number, cli_number_help},
	{"spam", "train a workspace's spam model from its calls", cli_spam, cli_spam_help},
	{"dnc", "import or export a workspace's do-not-contact list (CSV)", cli_dnc, cli_dnc_help},
	{NULL, NULL, NULL, NULL},
};

int cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}

int cli_data_flags(int *argc, char **argv, struct config *cfg)
{
	struct err_detail d = {0};
	if (config_parse_flags(cfg, CFG_FLAG_DATA, argc, argv, &d) != ERR_OK) {
		fprintf(stderr, "switchboard: %s\n", d.detail);
		return 2;
	}
	return 0;
}

struct db *cli_open_db(const struct config *cfg)
{
	char *url = config_db_url(cfg);
	struct err_detail d = {0};
	struct db *db = NULL;
	if (!url) {
		fprintf(stderr, "switchboard: out of memory\n");
		return NULL;
	}
	if (db_open(url, &db, &d) != ERR_OK) {
		fprintf(stderr, "switchboard: database: %s\n", d.detail);
		free(url);
		return NULL;
	}
	free(url);
	log_level_set(LOG_WARN); /* migrations applied here are not news for a CLI user */
	if (store_migrate(db, NULL, &d) != ERR_OK) {
		fprintf(stderr, "switchboard: migration failed: %s\n", d.detail);
		db_close(db);
		return NULL;
	}
	log_level_set((enum log_level)log_level_parse(cfg->log_level));
	return db;
}

const char *cli_opt(int argc, char **argv, const char *name)
{
	size_t n = strlen(name);
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) != 0 || strncmp(argv[i] + 2, name, n) != 0)
			continue;
		if (argv[i][2 + n] == '=')
			return argv[i] + 3 + n;
		if (argv[i][2 + n] == 0 && i + 1 < argc)
			return argv[i + 1];
	}
	return NULL;
}

int cli_flag(int argc, char **argv, const char *name)
{
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "--", 2) && !strcmp(argv[i] + 2, name))
			return 1;
	return 0;
}

static int listed(const char *const *list, const char *s, size_t n)
{
	for (int i = 0; list && list[i]; i++)
		if (strlen(list[i]) == n && !strncmp(list[i], s, n))
			return 1;
	return 0;
}

int cli_check_args(int argc, char **argv, int first, const char *const *valued, const char *const *flags)
{
	for (int i = first; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2) != 0) {
			fprintf(stderr, "switchboard: unexpected argument '%s'\n", a);
			return 2;
		}
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t n = eq ? (size_t)(eq - name) : strlen(name);
		if (listed(valued, name, n)) {
			if (!eq && ++i >= argc) {
				fprintf(stderr, "switchboard: --%.*s needs a value\n", (int)n, name);
				return 2;
			}
		} else if (!listed(flags, name, n) || eq) {
			fprintf(stderr, "switchboard: unknown option '%s'\n", a);
			return 2;
		}
	}
	return 0;
}
