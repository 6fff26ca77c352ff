/* switchboard config check: validates the environment and prints every setting. */
#include <string.h>

#include "cli/cli.h"

void cli_config_help(FILE *f)
{
	fprintf(f, "usage: switchboard config check\n\nValidates the settings from the environment (exit 2 when one is wrong)\n"
		   "and prints each with its value, its source and its variable.\n");
}

int cli_config(int argc, char **argv, struct config *cfg)
{
	if (argc != 2 || strcmp(argv[1], "check") != 0) {
		cli_config_help(stderr);
		return 2;
	}
	/* config_load already validated the environment before we got here. */
	config_print(stdout, cfg);
	printf("configuration ok\n");
	return 0;
}
