/* SMS messaging, reconciling delivery receipts (see messaging.h). Twilio
 * does not retry a status callback that failed (we were down, restarting,
 * unreachable), so a message may stay "queued" or "sent" here long after the
 * vendor knows how it ended. The scheduler queues one "sms_reconcile" job per
 * such message (the job queue's backoff spaces out a vendor that cannot
 * answer); the job asks the vendor and applies the answer through the same
 * code as a status callback: claimed once per status, never moving a message
 * back, announced. */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "domain/messaging_int.h"

static bool is(const char *s, const char *word)
{
	return s && strcmp(s, word) == 0;
}

/* With the vendor and not final: what a lost receipt leaves behind. */
static bool unsettled(const struct sms_message *m)
{
	return m->vendor_sid && is(m->direction, "outbound") &&
	       (is(m->status, "accepted") || is(m->status, "queued") || is(m->status, "sending") || is(m->status, "sent"));
}

enum err messaging_reconcile_queue(struct db *db, int64_t now, int64_t quiet_ms, int64_t max_age_ms, int limit,
				   int *queued)
{
	*queued = 0;
	struct arena *a = arena_new();
	if (!a)
		return ERR_NOMEM;
	struct sms_unsettled *rows = NULL;
	int n = 0;
	/* Read first: most ticks find nothing and take no write lock. */
	enum err rc = store_sms_unsettled(db, now - quiet_ms, now - max_age_ms, limit, a, &rows, &n);
	if (rc != ERR_OK || n == 0)
		goto out;
	if ((rc = db_begin_write(db)) != ERR_OK)
		goto out;
	for (int i = 0; rc == ERR_OK && i < n; i++) {
		bool q = false;
		/* Marked asked even when its job is still waiting (backing off):
		 * the message comes up again only after another quiet spell. */
		rc = store_sms_reconciled(db, rows[i].sid, now);
		if (rc == ERR_OK)
			rc = store_sms_reconcile_queue(db, rows[i].workspace_id, rows[i].sid, now, &q);
		*queued += q;
	}
	if (rc == ERR_OK)
		rc = db_commit(db);
	if (rc != ERR_OK) {
		db_rollback(db);
		*queued = 0;
	}
out:
	arena_free(a);
	return rc;
}

static enum err mark_asked(struct db *db, const char *sid)
{
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	if ((rc = store_sms_reconciled(db, sid, clock_now_ms())) == ERR_OK)
		rc = db_commit(db);
	if (rc != ERR_OK)
		db_rollback(db);
	return rc;
}

enum err messaging_reconcile(struct db *db, struct sms_provider *prov, const char *sid, struct err_detail *d)
{
	struct arena *a = arena_new();
	if (!a)
		return ERR_NOMEM;
	struct sms_message m;
	struct sms_vendor_status v;
	enum err rc = store_sms_get(db, sid, a, &m);
	if (rc == ERR_NOT_FOUND || (rc == ERR_OK && !unsettled(&m))) {
		rc = ERR_OK; /* gone, settled since (a late callback), or never with the vendor */
		goto out;
	}
	if (rc != ERR_OK || (rc = mark_asked(db, sid)) != ERR_OK)
		goto out;
	if (!prov || !prov->fetch) {
		rc = err_set(d, ERR_UPSTREAM, "no SMS provider to ask");
		goto out;
	}
	rc = prov->fetch(prov, m.vendor_sid, &v, d);
	if (rc == ERR_NOT_FOUND)
		rc = ERR_INVALID; /* the vendor does not know it: asking again will not help */
	if (rc != ERR_OK)
		goto out;
	log_info("sms %s (%s): the vendor reports %s%s (was %s here)", m.sid, m.vendor_sid, v.status,
		 v.error_code ? ", with an error code" : "", m.status);
	char code[16];
	snprintf(code, sizeof code, "%d", v.error_code);
	struct sms_webhook w = {.message_sid = m.vendor_sid, .status = v.status,
				.error_code = v.error_code ? code : NULL, .key = m.sid};
	const char *label = arena_printf(a, "reconcile:%s", prov->name);
	rc = label ? msg_receipt_apply(db, &w, SRC_SYSTEM, label, a, d) : ERR_NOMEM;
out:
	arena_free(a);
	return rc;
}
