/* Bulk and export job threads (see bulk_worker.h). */
#include "jobs/bulk_worker.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/log.h"
#include "domain/bulk.h"
#include "jobs/bulk_data.h"
#include "jobs/bulk_export.h"
#include "providers/blob.h"
#include "store/bulk.h"
#include "store/db.h"

#define IDLE_MS 250
#define MAX_CHUNK_FAILURES 5

/* The wake-up for idle workers: kick_lock guards kick_seq and stopping. */
static pthread_mutex_t kick_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t kick_cond = PTHREAD_COND_INITIALIZER;
static uint64_t kick_seq;
static bool stopping;

struct bulk_workers {
	const struct config *cfg;
	struct blob_store *blobs;
	int n;
	pthread_t threads[16];
};

void bulk_workers_kick(void)
{
	pthread_mutex_lock(&kick_lock);
	kick_seq++;
	pthread_cond_broadcast(&kick_cond);
	pthread_mutex_unlock(&kick_lock);
}

static bool should_stop(void)
{
	pthread_mutex_lock(&kick_lock);
	bool s = stopping;
	pthread_mutex_unlock(&kick_lock);
	return s;
}

bool bulk_workers_stopping(void)
{
	return should_stop();
}

/* Sleeps up to ms or until kicked (seen: the kick count this thread has seen). True when stopping. */
static bool nap(int64_t ms, uint64_t *seen)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&kick_lock);
	while (!stopping && kick_seq == *seen)
		if (pthread_cond_timedwait(&kick_cond, &kick_lock, &ts) != 0)
			break;
	*seen = kick_seq;
	bool s = stopping;
	pthread_mutex_unlock(&kick_lock);
	return s;
}

/* Sleeps ms whatever the kicks (the test-only chunk delay); true when stopping. */
static bool pause_ms(int64_t ms)
{
	int64_t end = clock_mono_us() + ms * 1000;
	uint64_t seen = 0;
	for (int64_t left = ms; left > 0; left = (end - clock_mono_us()) / 1000)
		if (nap(left, &seen))
			return true;
	return should_stop();
}

static enum err run_bulk(struct bulk_workers *w, struct db *db, struct bulk_job *j, struct err_detail *d)
{
	int kind = word_index(bulk_operations, j->operation);
	if (kind < 0)
		return err_set(d, ERR_INVALID, "unknown operation %s", j->operation);
	json_error_t je;
	json_t *data = json_loads(j->data, 0, &je);
	struct arena *a = arena_new();
	struct bulk_op op;
	enum err rc = !a ? ERR_NOMEM : !data ? ERR_INVALID : bulk_data_parse((enum bulk_kind)kind, data, a, &op, d);
	int failures = 0;
	while (rc == ERR_OK) {
		bool finished = false;
		struct err_detail cd = {0};
		enum err crc = bulk_job_step(db, j, &op, (int)w->cfg->bulk_chunk, w->cfg->bulk_lease_ms, &finished, &cd);
		if (crc != ERR_OK) {
			log_warn("bulk job %s: chunk at %lld failed: %s", j->id, (long long)j->next_seq,
				 cd.detail[0] ? cd.detail : err_str(crc));
			if (++failures >= MAX_CHUNK_FAILURES) {
				rc = err_set(d, crc, "%s", cd.detail[0] ? cd.detail : err_str(crc));
				break;
			}
			if (pause_ms(100 * failures))
				return ERR_LIMITED; /* stopping: give the job back */
			continue;
		}
		failures = 0;
		if (finished)
			break;
		if (w->cfg->bulk_chunk_delay_ms > 0 ? pause_ms(w->cfg->bulk_chunk_delay_ms) : should_stop()) {
			rc = ERR_LIMITED;
			break;
		}
	}
	json_decref(data);
	arena_free(a);
	return rc;
}

static void run_one(struct bulk_workers *w, struct db *db, struct bulk_job *j)
{
	struct err_detail d = {0};
	enum err rc;
	log_context_set(j->id);
	int64_t rows = 0;
	if (strcmp(j->kind, "export") == 0 || strcmp(j->operation, "export") == 0)
		rc = bulk_export_run(db, w->cfg, w->blobs, j, &rows, &d);
	else
		rc = run_bulk(w, db, j, &d);
	int64_t now = clock_now_ms();
	if (rc == ERR_LIMITED) {
		store_bulk_release(db, j->id, NULL, now, now); /* stopping: the next start resumes it at once */
	} else if (rc != ERR_OK) {
		const char *why = d.detail[0] ? d.detail : err_str(rc);
		log_warn("bulk job %s (%s) failed: %s", j->id, j->operation, why);
		if (rc == ERR_INVALID || j->attempts >= 3)
			bulk_job_fail(db, j, why);
		else
			store_bulk_release(db, j->id, why, now + 1000, now);
	}
	log_context_set(NULL);
}

static void *loop(void *arg)
{
	struct bulk_workers *w = arg;
	pthread_setname_np(pthread_self(), "sb-bulk"); /* benchmarks read this thread's CPU time by name */
	struct db *db = db_thread();
	uint64_t seen = 0;
	while (db) {
		struct arena *a = arena_new();
		struct bulk_job j;
		int64_t now = clock_now_ms();
		enum err rc = a ? store_bulk_claim(db, now, w->cfg->bulk_lease_ms, a, &j) : ERR_NOMEM;
		if (rc == ERR_OK)
			run_one(w, db, &j);
		arena_free(a);
		if (rc != ERR_OK ? nap(IDLE_MS, &seen) : should_stop())
			break;
	}
	db_thread_release();
	return NULL;
}

enum err bulk_workers_start(const struct config *cfg, struct bulk_workers **out, struct err_detail *d)
{
	struct bulk_workers *w = calloc(1, sizeof *w);
	if (!w)
		return ERR_NOMEM;
	w->cfg = cfg;
	enum err rc = blob_store_open(cfg, &w->blobs, d);
	if (rc != ERR_OK) {
		free(w);
		return rc;
	}
	pthread_mutex_lock(&kick_lock);
	stopping = false;
	pthread_mutex_unlock(&kick_lock);
	int want = (int)cfg->bulk_workers;
	if (want > 16)
		want = 16;
	for (w->n = 0; w->n < want; w->n++) {
		if (pthread_create(&w->threads[w->n], NULL, loop, w) != 0) {
			bulk_workers_stop(w);
			return err_set(d, ERR_IO, "cannot start the bulk job workers");
		}
	}
	*out = w;
	return ERR_OK;
}

void bulk_workers_stop(struct bulk_workers *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&kick_lock);
	stopping = true;
	pthread_cond_broadcast(&kick_cond);
	pthread_mutex_unlock(&kick_lock);
	for (int i = 0; i < w->n; i++)
		pthread_join(w->threads[i], NULL);
	blob_store_free(w->blobs);
	free(w);
}
