/* Exports: POST /api/calls/export starts one, GET /api/exports/:jobId tells
 * whether it is ready and hands out a signed, expiring download link, and
 * GET /api/exports/:jobId/download serves the file to whoever holds a valid
 * link (the link is the credential: an e-mail or a browser download). */
#include <inttypes.h>
#include <jansson.h>
#include <string.h>

#include "api/bulk_api.h"
#include "api/handlers.h"
#include "api/input.h"
#include "core/clock.h"
#include "domain/bulk.h"
#include "domain/export.h"
#include "http/problem.h"
#include "jobs/bulk_data.h"
#include "jobs/bulk_worker.h"
#include "providers/blob.h"

enum err h_calls_export(struct req *r)
{
	static const char *const keys[] = {"filters", "format", "columns", NULL};
	json_t *b = req_body(r);
	input_known_keys(r, b, keys);
	struct export_spec spec;
	char *data = NULL;
	enum err rc = api_export_data(r, b, true, &data, &spec);
	struct call_query q;
	call_query_init(&q, r->principal.workspace_id, clock_now_ms());
	bulk_filters_parse(json_object_get(b, "filters"), &q, r->arena, r->principal.user_id, &r->err);
	if (rc == ERR_OK || rc == ERR_INVALID)
		rc = input_result(r);
	char id[ID_SIZE];
	int64_t count = 0;
	struct bulk_request req = {.kind = "export", .operation = spec.pdf ? "pdf" : "csv", .data = data, .q = &q};
	if (rc == ERR_OK)
		rc = bulk_create(r->db, &r->principal, &req, clock_now_ms(), id, &count, &r->err);
	free(data);
	if (rc != ERR_OK)
		return rc;
	bulk_workers_kick();
	struct jw w;
	jw_init(&w, 128, 1024);
	jw_obj_begin(&w);
	jw_kstr(&w, "jobId", id);
	jw_kint(&w, "estimatedTime", export_estimate_sec(count, spec.pdf));
	jw_kint(&w, "rowCount", count);
	jw_kstr(&w, "status", "processing");
	jw_obj_end(&w);
	req_set_status(r, 202);
	return reply_jw(r, &w);
}

static bool is_export(const struct bulk_job *j)
{
	return strcmp(j->kind, "export") == 0 || strcmp(j->operation, "export") == 0;
}

enum err h_export_get(struct req *r)
{
	struct bulk_job j;
	enum err rc = bulk_get(r->db, &r->principal, req_param(r, "jobId"), r->arena, &j, &r->err);
	if (rc == ERR_OK && !is_export(&j))
		rc = err_set(&r->err, ERR_NOT_FOUND, "no export %s", j.id);
	if (rc != ERR_OK)
		return rc;
	bool ready = strcmp(j.status, "completed") == 0 && j.result_key;
	struct jw w;
	jw_init(&w, 512, 8192);
	jw_obj_begin(&w);
	jw_kstr(&w, "jobId", j.id);
	jw_kstr(&w, "status", ready ? "ready" : strcmp(j.status, "failed") == 0 ? "failed" : "processing");
	bool pdf = strcmp(j.kind, "export") == 0 ? strcmp(j.operation, "pdf") == 0 : strstr(j.data, "\"format\":\"pdf\"") != NULL;
	jw_kstr(&w, "format", pdf ? "pdf" : "csv");
	if (ready) {
		int64_t expires = clock_now_ms() / 1000 + r->cfg->export_link_ttl_sec;
		char sig[64], url[512];
		if ((rc = export_link_sign(r->cfg, j.id, expires, sig, sizeof sig)) != ERR_OK) {
			jw_cleanup(&w);
			return rc;
		}
		snprintf(url, sizeof url, "%s/api/exports/%s/download?expires=%" PRId64 "&sig=%s", r->cfg->public_url,
			 j.id, expires, sig);
		jw_kstr(&w, "downloadUrl", url);
		jw_ktime_ms(&w, "expiresAt", expires * 1000);
		jw_kint(&w, "rows", j.processed);
		jw_kint(&w, "bytes", j.result_size);
	}
	if (strcmp(j.status, "failed") == 0 && j.last_error)
		jw_kstr(&w, "failure", j.last_error);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

enum err h_export_download(struct req *r)
{
	const char *id = req_param(r, "jobId");
	switch (export_link_check(r->cfg, id, req_query(r, "expires"), req_query(r, "sig"), clock_now_ms())) {
	case EXPORT_LINK_BAD:
		return err_set(&r->err, ERR_FORBIDDEN, "the download link is not valid");
	case EXPORT_LINK_EXPIRED:
		problem_reply_status(r, 410, "the download link has expired: ask for a new one");
		return ERR_OK;
	case EXPORT_LINK_OK:
		break;
	}
	struct bulk_job j;
	enum err rc = store_bulk_get_by_id(r->db, id, r->arena, &j);
	if (rc == ERR_OK && !(strcmp(j.status, "completed") == 0 && j.result_key))
		rc = ERR_NOT_FOUND;
	struct blob_store *bs = NULL;
	int fd = -1;
	int64_t size = 0;
	if (rc == ERR_OK && (rc = blob_store_open(r->cfg, &bs, &r->err)) == ERR_OK)
		rc = blob_open_read(bs, j.result_key, &fd, &size);
	blob_store_free(bs);
	if (rc == ERR_NOT_FOUND)
		return err_set(&r->err, rc, "no export file %s", id);
	if (rc != ERR_OK)
		return rc;
	bool pdf = strstr(j.result_key, ".pdf") != NULL;
	char disp[128];
	snprintf(disp, sizeof disp, "attachment; filename=\"calls-%s.%s\"", j.id, pdf ? "pdf" : "csv");
	req_add_header(r, "Content-Disposition", disp);
	return reply_fd(r, pdf ? "application/pdf" : "text/csv; charset=utf-8", fd, (uint64_t)size);
}
