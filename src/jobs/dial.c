/* The "dial" job kind. */
#include "jobs/dial.h"

#include <jansson.h>

#include "domain/dialer.h"
#include "store/db.h"

enum err job_dial_run(const struct job_services *svc, const struct bg_job *j, struct err_detail *d)
{
	json_error_t je;
	json_t *p = json_loads(j->payload, 0, &je);
	struct dial_job dj = {.attempt = j->attempts, .last = job_last_attempt(j)};
	json_int_t deadline = 0;
	if (!p || json_unpack(p, "{s:s, s:s, s:s, s?s, s?I}", "stage", &dj.stage, "sid", &dj.request_sid, "customer",
			      &dj.customer, "parent", &dj.parent_sid, "deadline", &deadline) != 0) {
		json_decref(p);
		return err_set(d, ERR_INVALID, "malformed dial job");
	}
	dj.deadline_ms = deadline;
	struct db *db = db_thread();
	enum err rc = db ? dialer_job_run(db, svc->tel, &dj, d) : ERR_STORE;
	json_decref(p);
	return rc;
}
