/* Liveness, readiness and the API description. */
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "core/embedded.h"
#include "core/yamljson.h"

static char *openapi_json;     /* const after system_openapi_init */
static size_t openapi_json_len;
static const struct embedded_file *openapi_yaml;

enum err h_healthz(struct req *r)
{
	static const char body[] = "{\"status\":\"ok\"}";
	return reply_static(r, "application/json", body, sizeof body - 1);
}

enum err h_readyz(struct req *r)
{
	static const char body[] = "{\"status\":\"ready\"}";
	if (db_ping(r->db) != ERR_OK)
		return err_set(&r->err, ERR_STORE, "the database does not answer");
	return reply_static(r, "application/json", body, sizeof body - 1);
}

enum err h_openapi_json(struct req *r)
{
	return reply_static(r, "application/json", openapi_json, openapi_json_len);
}

enum err h_openapi_yaml(struct req *r)
{
	return reply_static(r, "application/yaml", openapi_yaml->data, openapi_yaml->len);
}

enum err system_openapi_init(struct err_detail *d)
{
	for (const struct embedded_file *f = embedded_files; f->path; f++)
		if (strcmp(f->path, "openapi.yaml") == 0)
			openapi_yaml = f;
	if (!openapi_yaml)
		return err_set(d, ERR_INTERNAL, "openapi.yaml is not embedded");
	json_t *doc = NULL;
	enum err rc = yamljson_parse(openapi_yaml->data, openapi_yaml->len, &doc, d);
	if (rc != ERR_OK)
		return rc;
	openapi_json = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (!openapi_json)
		return ERR_NOMEM;
	openapi_json_len = strlen(openapi_json);
	return ERR_OK;
}

void system_openapi_cleanup(void)
{
	free(openapi_json);
	openapi_json = NULL;
}
