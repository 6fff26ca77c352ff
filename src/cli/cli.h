/* Subcommands of the switchboard binary: one const table, one file each. */
#ifndef SB_CLI_CLI_H
#define SB_CLI_CLI_H

#include <stdio.h>

#include "core/config.h"

struct cli_command {
	const char *name;
	const char *summary;
	/* argv[0] is the subcommand name; cfg is loaded from defaults and environment.
	 * Returns the process exit status. */
	int (*run)(int argc, char **argv, struct config *cfg);
	void (*help)(FILE *f);
};

extern const struct cli_command cli_commands[];

/* Helpers shared by subcommands. */
/* True when argv has --help or -h. */
int cli_wants_help(int argc, char **argv);
/* Consumes the data/db flags, reports errors; returns 0 or an exit status. */
int cli_data_flags(int *argc, char **argv, struct config *cfg);
/* Opens the database of cfg on this thread and applies migrations (quietly). NULL on failure (reported). */
struct db *cli_open_db(const struct config *cfg);
/* Value of --name VALUE / --name=VALUE in argv, or NULL. */
const char *cli_opt(int argc, char **argv, const char *name);
/* True when the bare flag --name is in argv. */
int cli_flag(int argc, char **argv, const char *name);
/* Reports unknown options and extra arguments; 0 when everything in argv[first..] is in known. */
int cli_check_args(int argc, char **argv, int first, const char *const *known_valued, const char *const *known_flags);

int cli_serve(int argc, char **argv, struct config *cfg);
void cli_serve_help(FILE *f);
int cli_migrate(int argc, char **argv, struct config *cfg);
void cli_migrate_help(FILE *f);
int cli_seed(int argc, char **argv, struct config *cfg);
void cli_seed_help(FILE *f);
int cli_token(int argc, char **argv, struct config *cfg);
void cli_token_help(FILE *f);
int cli_user(int argc, char **argv, struct config *cfg);
void cli_user_help(FILE *f);
int cli_config(int argc, char **argv, struct config *cfg);
void cli_config_help(FILE *f);
int cli_routes(int argc, char **argv, struct config *cfg);
void cli_routes_help(FILE *f);
int cli_number(int argc, char **argv, struct config *cfg); void cli_number_help(FILE *f);
int cli_spam(int argc, char **argv, struct config *cfg);
void cli_spam_help(FILE *f);
int cli_dnc(int argc, char **argv, struct config *cfg); void cli_dnc_help(FILE *f);

#endif
