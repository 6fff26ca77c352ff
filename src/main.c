/* switchboard: argv -> subcommand table. Wiring only. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/config.h"
#include "core/log.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: switchboard COMMAND [OPTIONS]\n\ncommands:\n");
	for (const struct cli_command *c = cli_commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\n'switchboard COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (const struct cli_command *c = cli_commands; c->name; c++) {
		if (strcmp(c->name, argv[1]) != 0)
			continue;
		if (cli_wants_help(argc - 1, argv + 1)) {
			c->help(stdout);
			return 0;
		}
		struct config cfg;
		struct err_detail d = {0};
		if (config_load(&cfg, &d) != ERR_OK) {
			fprintf(stderr, "switchboard: configuration: %s\n", d.detail);
			config_cleanup(&cfg);
			return 2;
		}
		log_level_set((enum log_level)log_level_parse(cfg.log_level));
		int status = c->run(argc - 1, argv + 1, &cfg);
		config_cleanup(&cfg);
		return status;
	}
	fprintf(stderr, "switchboard: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
