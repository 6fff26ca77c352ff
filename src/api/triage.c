/* The triage queue (GET /api/calls/queue/triage): calls that still need a
 * human, most urgent first, each with its score, band and reasons. */
#include "api/call_json.h"
#include "api/handlers.h"
#include "core/clock.h"
#include "domain/call_query.h"
#include "domain/calls.h"
#include "domain/triage.h"

void triage_json_write(struct jw *w, struct arena *a, const struct triage_parts *t)
{
	const char *reasons[8];
	int n = triage_reasons(a, t, reasons);
	jw_key(w, "triage");
	jw_obj_begin(w);
	jw_kint(w, "score", t->score);
	jw_kstr(w, "band", triage_band_names[triage_band(t->score)]);
	jw_key(w, "reasons");
	jw_arr_begin(w);
	for (int i = 0; i < n; i++)
		jw_str(w, reasons[i]);
	jw_arr_end(w);
	jw_obj_end(w);
}

enum err h_triage(struct req *r)
{
	struct call_query q;
	struct call_page page;
	struct list_cache lc;
	int64_t counts[TRIAGE_BANDS];
	enum err rc = call_list_query(r, &q, 50, true);
	if (rc != ERR_OK || call_list_cached(r, "triage", &q, &lc, &rc))
		return rc;
	if ((rc = calls_list(r->db, &r->principal, &q, r->arena, &page, &r->err)) != ERR_OK ||
	    (rc = triage_band_counts(r->db, &r->principal, q.now, counts)) != ERR_OK)
		return call_list_cache_put(r, &q, &lc, rc);
	struct jw w;
	jw_init(&w, 64 * 1024, 16u << 20);
	jw_obj_begin(&w);
	jw_key(&w, "queuedCalls");
	jw_arr_begin(&w);
	for (int i = 0; i < page.n; i++) {
		jw_obj_begin(&w);
		call_json_fields(&w, &page.rows[i], false);
		triage_json_write(&w, r->arena, &page.triage[i]);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "priorities");
	jw_arr_begin(&w);
	static const int64_t min_score[TRIAGE_BANDS] = {1000, 300, 100, 0};
	for (int i = 0; i < TRIAGE_BANDS; i++) {
		jw_obj_begin(&w);
		jw_kstr(&w, "band", triage_band_names[i]);
		jw_kint(&w, "minScore", min_score[i]);
		jw_kint(&w, "count", counts[i]);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	call_list_next_cursor(&w, &q, &page);
	jw_obj_end(&w);
	return call_list_cache_put(r, &q, &lc, reply_jw(r, &w));
}
