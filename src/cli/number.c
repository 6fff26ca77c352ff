/* switchboard number add: registers a tracking number for a workspace (what
 * an operator does before the first inbound call). Prints the number's id. */
#include <string.h>

#include "cli/cli.h"
#include "core/arena.h"
#include "domain/numbers.h"
#include "store/accounts.h"
#include "store/model.h"

void cli_number_help(FILE *f)
{
	fprintf(f, "usage: switchboard number add --workspace SLUG --e164 NUMBER [--label LABEL]\n"
		   "         [--routing ai|human|overflow] [--after-hours ai|vm|forward] [--forward-to NUMBER]\n\n"
		   "Adds a tracking number (any format; stored as E.164) to an existing workspace and prints\n"
		   "its id. A number belongs to one workspace: adding it twice fails.\n\n");
	config_print_flags(f, CFG_FLAG_DATA);
}

int cli_number(int argc, char **argv, struct config *cfg)
{
	static const char *const valued[] = {"workspace", "e164", "label", "routing", "after-hours", "forward-to", NULL};
	if (cli_data_flags(&argc, argv, cfg))
		return 2;
	if (argc < 2 || strcmp(argv[1], "add") != 0) {
		cli_number_help(stderr);
		return 2;
	}
	if (cli_check_args(argc, argv, 2, valued, NULL))
		return 2;
	const char *slug = cli_opt(argc, argv, "workspace");
	struct number_input in = {.e164 = cli_opt(argc, argv, "e164"), .recording_opt_in = -1};
	in.label = cli_opt(argc, argv, "label");
	in.set_label = in.label != NULL;
	in.routing_mode = cli_opt(argc, argv, "routing");
	in.after_hours = cli_opt(argc, argv, "after-hours");
	in.forward_to = cli_opt(argc, argv, "forward-to");
	in.set_forward_to = in.forward_to != NULL;
	if (!slug || !in.e164) {
		fprintf(stderr, "switchboard: number add needs --workspace and --e164\n");
		return 2;
	}
	if ((in.routing_mode && word_index(number_routing_modes, in.routing_mode) < 0) ||
	    (in.after_hours && word_index(number_after_hours, in.after_hours) < 0)) {
		fprintf(stderr, "switchboard: --routing is ai, human or overflow; --after-hours is ai, vm or forward\n");
		return 2;
	}
	struct db *db = cli_open_db(cfg);
	if (!db)
		return 1;
	struct workspace ws;
	struct err_detail d = {0};
	struct arena *a = arena_new();
	struct tracking_number n;
	enum err rc = a ? store_workspace_by_slug(db, slug, &ws) : ERR_NOMEM;
	if (rc == ERR_NOT_FOUND)
		err_set(&d, rc, "no workspace %s (create it with `switchboard user add` or `token create`)", slug);
	if (rc == ERR_OK) {
		struct actor actor = actor_system(ws.id, SRC_SYSTEM, "cli");
		rc = numbers_create(db, &actor, &in, a, &n, &d);
	}
	if (rc == ERR_OK)
		printf("%s %s\n", n.id, n.e164);
	else if (d.nfields)
		fprintf(stderr, "switchboard: %s %s\n", d.fields[0].field, d.fields[0].message);
	else
		fprintf(stderr, "switchboard: %s\n", d.detail[0] ? d.detail : err_str(rc));
	arena_free(a);
	db_close(db);
	return rc == ERR_OK ? 0 : (rc == ERR_INVALID || rc == ERR_CONFLICT || rc == ERR_NOT_FOUND) ? 2 : 1;
}
