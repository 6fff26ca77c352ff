/* Every route the server answers. Literal segments win over parameters, so
 * order within the table does not matter for matching. */
#include "api/api.h"
#include "api/handlers.h"
#include "domain/authz.h"

#define JSON ROUTE_BODY_JSON
#define REQ ROUTE_BODY_REQUIRED

const struct route api_routes[] = {
	{"GET", "/healthz", h_healthz, ACCESS_PUBLIC, 0, 0},
	{"GET", "/readyz", h_readyz, ACCESS_PUBLIC, 0, 0},
	{"GET", "/api/openapi.json", h_openapi_json, ACCESS_PUBLIC, 0, 0},
	{"GET", "/api/openapi.yaml", h_openapi_yaml, ACCESS_PUBLIC, 0, 0},

	{"POST", "/api/auth/login", h_login, ACCESS_PUBLIC, 0, JSON | REQ},
	{"POST", "/api/auth/logout", h_logout, ACCESS_SIGNED_IN, 0, ROUTE_NO_CONTENT},
	{"GET", "/api/me", h_me_get, ACCESS_SIGNED_IN, 0, 0},
	{"PATCH", "/api/me", h_me_patch, ACCESS_SIGNED_IN, 0, JSON | REQ},
	{"GET", "/api/users", h_users_list, ACCESS_ACTION, ACT_SETTINGS, 0},
};

const size_t api_routes_count = sizeof api_routes / sizeof api_routes[0];

enum err api_init(struct err_detail *d)
{
	return system_openapi_init(d);
}

void api_cleanup(void)
{
	system_openapi_cleanup();
}
