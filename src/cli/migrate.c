/* switchboard migrate: apply the schema migrations this binary carries. */
#include "cli/cli.h"
#include "core/log.h"
#include "store/db.h"
#include "store/migrate.h"

#include <stdlib.h>

void cli_migrate_help(FILE *f)
{
	fprintf(f, "usage: switchboard migrate [--data DIR] [--db URL]\n\nApplies pending schema migrations and prints the schema version.\n\n");
	config_print_flags(f, CFG_FLAG_DATA);
}

int cli_migrate(int argc, char **argv, struct config *cfg)
{
	if (cli_data_flags(&argc, argv, cfg) || cli_check_args(argc, argv, 1, NULL, NULL))
		return 2;
	char *url = config_db_url(cfg);
	struct db *db = NULL;
	struct err_detail d = {0};
	int applied = 0, version = 0, status = 1;
	if (!url || db_open(url, &db, &d) != ERR_OK) {
		fprintf(stderr, "switchboard: database: %s\n", d.detail);
		goto out;
	}
	log_level_set(LOG_WARN);
	if (store_migrate(db, &applied, &d) != ERR_OK) {
		fprintf(stderr, "switchboard: migration failed: %s\n", d.detail);
		goto out;
	}
	store_schema_version(db, &version);
	printf("schema version %d (%d migration%s applied)\n", version, applied, applied == 1 ? "" : "s");
	status = 0;
out:
	db_close(db);
	free(url);
	return status;
}
