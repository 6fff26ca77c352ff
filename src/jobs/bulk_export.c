/* The export job (see bulk_export.h). */
#include "jobs/bulk_export.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/jw.h"
#include "core/log.h"
#include "core/tz.h"
#include "domain/export.h"
#include "jobs/bulk_data.h"
#include "jobs/bulk_worker.h"
#include "render/csv.h"
#include "render/pdf.h"
#include "store/accounts.h"
#include "store/queue.h"

struct sink {
	struct db *aux;           /* a second connection: renews the lease while the cursor reads */
	const char *job_id;
	int64_t lease_ms, renewed_us;
	FILE *f;
	const struct tz *zone;
	const struct export_spec *spec;
	struct pdf_report *pdf;
	int64_t rows;
	enum err rc;
};

static bool on_row(void *ctx, const struct export_cell *cells)
{
	struct sink *s = ctx;
	if (s->pdf)
		s->rc = render_pdf_report_row(s->pdf, cells);
	else
		render_csv_row(s->f, s->zone, s->spec->cols, s->spec->ncols, cells);
	s->rows++;
	if ((s->rows & 4095) == 0 && bulk_workers_stopping()) {
		s->rc = ERR_LIMITED; /* shutting down: the job is given back and starts over at the next start */
		return false;
	}
	if (s->aux && (s->rows & 4095) == 0) {
		int64_t t = clock_mono_us();
		if ((t - s->renewed_us) / 1000 >= s->lease_ms / 3) {
			if (store_bulk_renew(s->aux, s->job_id, clock_now_ms() + s->lease_ms) != ERR_OK)
				log_warn("export %s: cannot renew its lease", s->job_id);
			s->renewed_us = t;
		}
	}
	return s->rc == ERR_OK;
}

/* The job's format, columns and filters. */
static enum err read_spec(const struct bulk_job *j, json_t *data, struct arena *a, struct export_spec *spec,
			  struct call_query *q, struct err_detail *d)
{
	const char *format = json_string_value(json_object_get(data, "format"));
	spec->pdf = format && strcmp(format, "pdf") == 0;
	json_t *cols = json_object_get(data, "columns");
	const char *names[EXPORT_MAX_COLS];
	int n = 0;
	if (json_is_array(cols)) {
		size_t i;
		json_t *c;
		json_array_foreach(cols, i, c) {
			if (n == EXPORT_MAX_COLS || !json_is_string(c))
				return err_set(d, ERR_INVALID, "bad export columns");
			names[n++] = json_string_value(c);
		}
	}
	enum err rc = export_columns_parse(json_is_array(cols) ? names : NULL, n, spec, d);
	if (rc != ERR_OK)
		return rc;
	call_query_init(q, j->workspace_id, j->created_at);
	return bulk_filters_parse(json_object_get(data, "filters"), q, a, j->user_id, d);
}

/* Queues "your export is ready" to the user, in the transaction that completes the job. */
static enum err notify(struct db *db, const struct bulk_job *j, int64_t rows, bool pdf, int64_t now)
{
	if (!j->user_email || !*j->user_email)
		return ERR_OK;
	char body[512];
	snprintf(body, sizeof body,
		 "Your export of %lld calls (%s) is ready.\r\n\r\nGet its download link from GET /api/exports/%s;"
		 " the link expires.\r\n",
		 (long long)rows, pdf ? "PDF" : "CSV", j->id);
	struct jw w;
	jw_init(&w, 512, 8192);
	jw_obj_begin(&w);
	jw_kstr(&w, "to", j->user_email);
	jw_kstr(&w, "subject", "Your Switchboard export is ready");
	jw_kstr(&w, "body", body);
	jw_obj_end(&w);
	enum err rc = jw_error(&w);
	if (rc == ERR_OK)
		rc = store_queue_insert_email(db, j->workspace_id, jw_cstr(&w), now);
	jw_cleanup(&w);
	return rc;
}

static enum err finish(struct db *db, const struct config *cfg, const struct bulk_job *j, const char *key,
		       int64_t size, int64_t rows, bool pdf)
{
	int64_t now = clock_now_ms();
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	if ((rc = store_bulk_finish(db, j->id, "completed", key, size, rows, NULL, now)) == ERR_OK &&
	    rows >= cfg->export_email_rows)
		rc = notify(db, j, rows, pdf, now);
	if (rc != ERR_OK) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

static void describe(const struct bulk_job *j, json_t *data, char *out, size_t n)
{
	json_t *f = json_object_get(data, "filters");
	char *txt = f && json_object_size(f) ? json_dumps(f, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (strcmp(j->kind, "bulk") == 0)
		snprintf(out, n, "Calls: %lld selected calls", (long long)j->total);
	else
		snprintf(out, n, "Filters: %s", txt ? txt : "none (all calls)");
	free(txt);
}

enum err bulk_export_run(struct db *db, const struct config *cfg, struct blob_store *bs, const struct bulk_job *j,
			 int64_t *rows, struct err_detail *d)
{
	json_error_t je;
	json_t *data = json_loads(j->data, 0, &je);
	struct arena *a = arena_new();
	struct export_spec spec;
	struct call_query q;
	struct blob_writer *bw = NULL;
	struct sink s = {0};
	char key[128];
	enum err rc = !a ? ERR_NOMEM : !data ? err_set(d, ERR_INVALID, "malformed export job") : ERR_OK;
	if (rc == ERR_OK)
		rc = read_spec(j, data, a, &spec, &q, d);
	struct workspace ws;
	if (rc == ERR_OK)
		rc = store_workspace_by_id(db, j->workspace_id, &ws);
	if (rc != ERR_OK)
		goto out;
	/* A long export outlives the lease a chunk would renew: renew it from a second
	 * connection (this one holds the read cursor). Without it, the job still runs. */
	char *url = config_db_url(cfg);
	struct err_detail ad = {0};
	if (!url || db_open(url, &s.aux, &ad) != ERR_OK)
		log_warn("export %s: no second connection (%s); its lease is not renewed", j->id, ad.detail);
	free(url);
	s.job_id = j->id;
	s.lease_ms = cfg->bulk_lease_ms;
	s.renewed_us = clock_mono_us();
	export_blob_key(j->id, spec.pdf, key, sizeof key);
	if ((rc = blob_create(bs, key, &bw, d)) != ERR_OK)
		goto out;
	s.f = blob_writer_file(bw);
	s.zone = tz_get(ws.time_zone);
	s.spec = &spec;
	if (spec.pdf) {
		char title[256], sub[1024];
		snprintf(title, sizeof title, "Calls export - %s", ws.name);
		describe(j, data, sub, sizeof sub);
		rc = render_pdf_report_open(s.f, title, sub, spec.cols, spec.ncols, s.zone, &s.pdf);
	} else {
		render_csv_header(s.f, spec.cols, spec.ncols);
	}
	if (rc == ERR_OK)
		rc = store_export_each(db, &q, strcmp(j->kind, "bulk") == 0 ? j->id : NULL, spec.cols, spec.ncols, on_row,
				       &s);
	if (rc == ERR_OK)
		rc = s.rc;
	if (s.pdf) {
		enum err prc = render_pdf_report_close(s.pdf);
		if (rc == ERR_OK)
			rc = prc;
	}
	if (rc != ERR_OK)
		goto out;
	int64_t size = 0;
	rc = blob_writer_commit(bw, &size, d);
	bw = NULL;
	if (rc == ERR_OK)
		rc = finish(db, cfg, j, key, size, s.rows, spec.pdf);
	*rows = s.rows;
out:
	db_close(s.aux);
	blob_writer_abort(bw);
	json_decref(data);
	arena_free(a);
	return rc;
}
