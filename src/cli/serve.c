/* switchboard serve: migrate, start the HTTP server, wait for SIGTERM/SIGINT,
 * then shut down gracefully (in-flight requests finish). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/api.h"
#include "cli/cli.h"
#include "core/log.h"
#include "http/server.h"
#include "jobs/bulk_worker.h"
#include "jobs/scheduler.h"
#include "jobs/worker.h"
#include "providers/email.h"
#include "providers/sms.h"
#include "providers/telephony.h"

#include <curl/curl.h>
#include "store/db.h"
#include "store/group_commit.h"
#include "store/migrate.h"

void cli_serve_help(FILE *f)
{
	fprintf(f, "usage: switchboard serve [OPTIONS]\n\nRuns the HTTP API. Every option can also be set by its environment variable.\n\n");
	config_print_flags(f, CFG_FLAG_SERVE);
}

static int startup(struct config *cfg, sigset_t *sigs, struct server **srv)
{
	struct err_detail d = {0};
	if (mkdir(cfg->data_dir, 0700) != 0 && errno != EEXIST) {
		log_error("cannot create data directory %s: %s", cfg->data_dir, strerror(errno));
		return 1;
	}
	char *url = config_db_url(cfg);
	db_thread_background_checkpoints(true);
	if (!url || db_thread_setup(url) != ERR_OK) {
		free(url);
		return 1;
	}
	free(url);
	struct db *db = db_thread();
	if (!db)
		return 1;
	int applied = 0;
	if (store_migrate(db, &applied, &d) != ERR_OK) {
		log_error("migration failed: %s", d.detail);
		return 1;
	}
	if (api_init(&d) != ERR_OK) {
		log_error("start-up failed: %s", d.detail);
		return 1;
	}
	/* Worker threads inherit this mask, so only sigwait below sees the signals. */
	sigemptyset(sigs);
	sigaddset(sigs, SIGINT);
	sigaddset(sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (http_server_open(cfg, api_routes, api_routes_count, srv, &d) != ERR_OK) {
		log_error("%s", d.detail);
		return 1;
	}
	return 0;
}

int cli_serve(int argc, char **argv, struct config *cfg)
{
	struct err_detail d = {0};
	if (config_parse_flags(cfg, CFG_FLAG_SERVE, &argc, argv, &d) != ERR_OK) {
		fprintf(stderr, "switchboard: %s\n", d.detail);
		return 2;
	}
	if (cli_check_args(argc, argv, 1, NULL, NULL))
		return 2;
	log_level_set((enum log_level)log_level_parse(cfg->log_level));
	log_access_set(cfg->access_log);

	sigset_t sigs;
	struct server *srv = NULL;
	struct email_provider *email = NULL;
	struct telephony *tel = NULL;
	struct sms_provider *sms = NULL;
	struct job_worker *worker = NULL;
	struct bulk_workers *bulk = NULL;
	struct scheduler *sched = NULL;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int status = startup(cfg, &sigs, &srv);
	if (status == 0) {
		enum err rc = email_provider_open(cfg, &email, &d);
		if (rc == ERR_OK)
			rc = telephony_open(cfg, http_server_port(srv), &tel, &d);
		if (rc == ERR_OK)
			rc = sms_open(cfg, http_server_port(srv), &sms, &d);
		struct job_services svc = {.cfg = cfg, .email = email, .tel = tel, .sms = sms};
		if (rc == ERR_OK)
			rc = job_worker_start(&svc, &worker, &d);
		if (rc == ERR_OK)
			rc = scheduler_start(cfg, &sched, &d);
		if (rc == ERR_OK)
			rc = bulk_workers_start(cfg, &bulk, &d);
		if (rc == ERR_OK) /* batches inbound webhook writes (store/group_commit.h) */
			rc = gc_start(0, &d);
		if (rc != ERR_OK) {
			log_error("start-up failed: %s", d.detail[0] ? d.detail : err_str(rc));
			status = 1;
		}
	}
	if (status == 0) {
		log_info("listening on http://%s:%d (data %s)", cfg->bind, http_server_port(srv), cfg->data_dir);
		int sig = 0;
		sigwait(&sigs, &sig);
		log_info("signal %d: shutting down", sig);
	}
	http_server_close(srv, cfg->shutdown_grace_sec * 1000);
	bulk_workers_stop(bulk);
	gc_stop(); /* after the server: requests still waiting on a batch get their answer */
	scheduler_stop(sched);
	job_worker_stop(worker);
	telephony_free(tel);
	sms_free(sms);
	email_provider_free(email);
	if (status == 0)
		log_info("stopped");
	api_cleanup();
	db_thread_release();
	curl_global_cleanup();
	return status;
}
