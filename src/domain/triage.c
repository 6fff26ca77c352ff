/* Triage bands and reasons (the score itself is in store/calls.c's SQL). */
#include "domain/triage.h"

#include <inttypes.h>

const char *const triage_band_names[TRIAGE_BANDS] = {"urgent", "high", "normal", "low"};

int triage_band(int64_t score)
{
	return score >= 1000 ? 0 : score >= 300 ? 1 : score >= 100 ? 2 : 3;
}

int triage_reasons(struct arena *a, const struct triage_parts *t, const char **out)
{
	int n = 0;
	if (t->overdue)
		out[n++] = "follow-up overdue";
	if (t->emergency)
		out[n++] = "emergency";
	if (t->emergency_score >= 50)
		out[n++] = arena_printf(a, "emergency score %" PRId64, t->emergency_score);
	if (t->first_time)
		out[n++] = "first-time caller";
	if (t->attempts > 1)
		out[n++] = arena_printf(a, "%" PRId64 " attempts from this number in 24 h", t->attempts);
	if (t->value_cents >= 10000)
		out[n++] = arena_printf(a, "estimated value $%" PRId64, t->value_cents / 100);
	if (t->age_min >= 60)
		out[n++] = arena_printf(a, "waiting %" PRId64 " h", t->age_min / 60);
	else if (t->age_min >= 10)
		out[n++] = arena_printf(a, "waiting %" PRId64 " min", t->age_min);
	int k = 0;
	for (int i = 0; i < n; i++)
		if (out[i])
			out[k++] = out[i];
	return k;
}

enum err triage_band_counts(struct db *db, const struct principal *p, int64_t now, int64_t counts[TRIAGE_BANDS])
{
	return store_calls_triage_bands(db, p->workspace_id, authz_row_scoped(p->role, ACT_READ) ? p->user_id : NULL,
					now, counts);
}
