/* The triage queue: calls that still need a human, ranked by one documented
 * score (computed in SQL by store/calls.c, explained here):
 *
 *   1000  an open follow-up is past due (SLA overdue)
 *   + 300 emergency intent
 *   + 2 x emergency score (0-100)
 *   + 100 first-time caller
 *   + 50 per unanswered attempt (no answer, busy, voicemail or disposition missed)
 *         from the same number in the last 24 h (up to 5)
 *   + 1 per $100 of estimated value (up to 100)
 *   + 1 per 10 minutes waiting (up to 100)
 *
 * Bands: urgent >= 1000, high >= 300, normal >= 100, low below. */
#ifndef SB_DOMAIN_TRIAGE_H
#define SB_DOMAIN_TRIAGE_H

#include "core/arena.h"
#include "domain/authz.h"
#include "store/calls.h"

#define TRIAGE_BANDS 4
extern const char *const triage_band_names[TRIAGE_BANDS]; /* urgent high normal low */

/* Band index of a score. */
int triage_band(int64_t score);
/* Human reasons for a rank, most important first, into the arena; returns how many (<= 8). */
int triage_reasons(struct arena *a, const struct triage_parts *t, const char **out);
/* Queue size per band for the principal (Tech scope applied). */
enum err triage_band_counts(struct db *db, const struct principal *p, int64_t now, int64_t counts[TRIAGE_BANDS]);

#endif
