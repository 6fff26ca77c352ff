/* Job worker thread and the table of job kinds. */
#include "jobs/worker.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/waiter.h"
#include "store/db.h"
#include "jobs/dial.h"
#include "jobs/sms.h"
#include "store/queue.h"

#define LEASE_MS 60000
#define IDLE_SLEEP_MS 200

struct job_worker {
	struct job_services svc;
	pthread_t thread;
	struct waiter wait;
};

/* email: { "to", "subject", "body" }; the job id is the message id. */
static enum err run_email(const struct job_services *svc, const struct bg_job *j, struct err_detail *d)
{
	json_error_t je;
	json_t *p = json_loads(j->payload, 0, &je);
	const char *to = NULL, *subject = NULL, *body = NULL;
	if (!p || json_unpack(p, "{s:s, s:s, s:s}", "to", &to, "subject", &subject, "body", &body) != 0) {
		json_decref(p);
		return err_set(d, ERR_INVALID, "malformed e-mail job");
	}
	struct email_msg m = {.id = j->id, .to = to, .subject = subject, .body = body};
	enum err rc = svc->email->send(svc->email, &m, d);
	json_decref(p);
	return rc;
}

static const struct {
	const char *kind;
	enum err (*run)(const struct job_services *svc, const struct bg_job *j, struct err_detail *d);
} kinds[] = {
	{"email", run_email},
	{"dial", job_dial_run},
	{"sms", job_sms_run},
	{"sms_reconcile", job_sms_reconcile_run},
};

int64_t job_backoff_ms(int64_t attempt, unsigned random)
{
	int64_t base = 1000;
	for (int64_t i = 1; i < attempt && base < 3600000; i++)
		base *= 2;
	if (base > 3600000)
		base = 3600000;
	int64_t jitter = (int64_t)(random % 501) - 250; /* per mille, +-25% */
	return base + base * jitter / 1000;
}

static void run_one(struct job_worker *w, struct db *db, const struct bg_job *j)
{
	struct err_detail d = {0};
	enum err rc = ERR_INVALID;
	bool known = false;
	log_context_set(j->id);
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		if (strcmp(kinds[i].kind, j->kind) == 0) {
			known = true;
			rc = kinds[i].run(&w->svc, j, &d);
		}
	}
	int64_t now = clock_now_ms();
	if (rc == ERR_OK) {
		store_queue_done(db, j->id, now);
	} else if (rc == ERR_LIMITED && known) {
		/* the job put itself back for later (a rate limit): not a failure */
	} else {
		unsigned r;
		crypto_random(&r, sizeof r);
		bool final = !known || rc == ERR_INVALID || job_last_attempt(j);
		const char *why = d.detail[0] ? d.detail : known ? err_str(rc) : "unknown job kind";
		log_warn("job %s (%s) attempt %lld failed: %s%s", j->kind, j->id, (long long)j->attempts, why,
			 final ? "; giving up" : "");
		store_queue_failed(db, j->id, why, final ? -1 : now + job_backoff_ms(j->attempts, r), now);
	}
	log_context_set(NULL);
}


static void *loop(void *arg)
{
	struct job_worker *w = arg;
	pthread_setname_np(pthread_self(), "sb-jobs");
	struct db *db = db_thread();
	while (db) {
		struct arena *a = arena_new();
		struct bg_job j;
		enum err rc = a ? store_queue_claim(db, clock_now_ms(), LEASE_MS, a, &j) : ERR_NOMEM;
		if (rc == ERR_OK)
			run_one(w, db, &j);
		arena_free(a);
		if (rc != ERR_OK && waiter_sleep(&w->wait, IDLE_SLEEP_MS))
			break;
		if (rc == ERR_OK && waiter_sleep(&w->wait, 0))
			break;
	}
	db_thread_release();
	return NULL;
}

enum err job_worker_start(const struct job_services *svc, struct job_worker **out, struct err_detail *d)
{
	struct job_worker *w = calloc(1, sizeof *w);
	if (!w)
		return ERR_NOMEM;
	w->svc = *svc;
	waiter_init(&w->wait);
	if (pthread_create(&w->thread, NULL, loop, w) != 0) {
		waiter_cleanup(&w->wait);
		free(w);
		return err_set(d, ERR_IO, "cannot start the job worker");
	}
	*out = w;
	return ERR_OK;
}

void job_worker_stop(struct job_worker *w)
{
	if (!w)
		return;
	waiter_stop(&w->wait);
	pthread_join(w->thread, NULL);
	waiter_cleanup(&w->wait);
	free(w);
}
