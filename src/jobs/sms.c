/* The "sms" job kind (see sms.h). */
#include "jobs/sms.h"

#include <jansson.h>
#include <string.h>

#include "core/clock.h"
#include "domain/messaging.h"
#include "store/db.h"
#include "store/messages.h"

enum err job_sms_run(const struct job_services *svc, const struct bg_job *j, struct err_detail *d)
{
	json_error_t je;
	json_t *p = json_loads(j->payload, 0, &je);
	const char *sid = NULL;
	if (!p || json_unpack(p, "{s:s}", "sid", &sid) != 0) {
		json_decref(p);
		return err_set(d, ERR_INVALID, "malformed sms job");
	}
	struct db *db = db_thread();
	enum err rc = db ? ERR_OK : ERR_STORE;
	if (rc == ERR_OK && !svc->sms)
		rc = err_set(d, ERR_UPSTREAM, "no SMS provider");
	struct sms_pace pace = {0};
	while (rc == ERR_OK) {
		int64_t t = clock_now_us();
		rc = messaging_pace(db, sid, svc->cfg->sms_default_mps, svc->cfg->sms_default_daily_cap, t, &pace);
		if (rc != ERR_OK || pace.go)
			break;
		if (pace.defer_ms || pace.wait_us > SMS_JOB_MAX_WAIT_US) {
			int64_t at = pace.defer_ms ? pace.defer_ms : (t + pace.wait_us) / 1000;
			const char *held = pace.not_due ? SMS_HELD_SCHEDULE : SMS_HELD_PACE;
			rc = store_sms_job_defer(db, j->id, at, held, clock_now_ms());
			if (rc == ERR_OK)
				rc = ERR_LIMITED;
			break;
		}
		clock_sleep_us(pace.wait_us);
	}
	int64_t defer_ms = 0;
	if (rc == ERR_OK)
		rc = messaging_deliver(db, svc->sms, sid, &pace, job_last_attempt(j), &defer_ms, d);
	if (rc == ERR_LIMITED && defer_ms) { /* quiet hours at the recipient: back at the window's opening */
		enum err drc = store_sms_job_defer(db, j->id, defer_ms, SMS_HELD_QUIET, clock_now_ms());
		if (drc != ERR_OK)
			rc = drc;
	}
	json_decref(p);
	return rc;
}

enum err job_sms_reconcile_run(const struct job_services *svc, const struct bg_job *j, struct err_detail *d)
{
	json_error_t je;
	json_t *p = json_loads(j->payload, 0, &je);
	const char *sid = NULL;
	if (!p || json_unpack(p, "{s:s}", "sid", &sid) != 0) {
		json_decref(p);
		return err_set(d, ERR_INVALID, "malformed sms_reconcile job");
	}
	struct db *db = db_thread();
	enum err rc = db ? messaging_reconcile(db, svc->sms, sid, d) : ERR_STORE;
	json_decref(p);
	return rc;
}
