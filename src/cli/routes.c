/* switchboard routes: the route table, one "METHOD PATTERN ACCESS" line each. */
#include "api/api.h"
#include "cli/cli.h"
#include "domain/authz.h"

void cli_routes_help(FILE *f)
{
	fprintf(f, "usage: switchboard routes\n\nLists every route the server answers: method, path pattern, access rule.\n");
}

int cli_routes(int argc, char **argv, struct config *cfg)
{
	(void)cfg;
	if (cli_check_args(argc, argv, 1, NULL, NULL))
		return 2;
	static const char *const actions[] = {"read", "download", "edit", "export", "settings", "dnc-override"};
	for (size_t i = 0; i < api_routes_count; i++) {
		const struct route *r = &api_routes[i];
		const char *access = r->access == ACCESS_PUBLIC ? "public"
				     : r->access == ACCESS_SIGNED_IN ? "signed-in" : actions[r->action];
		printf("%-6s %-40s %s\n", r->method, r->pattern, access);
	}
	return 0;
}
