/* Export rules and signed download links (see export.h). */
#include "domain/export.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/crypto.h"
#include "core/log.h"
#include "store/bulk.h"

static const char *const default_cols[] = {"id", "startedAt", "direction", "fromE164", "toE164", "contactName",
					   "agentType", "intent", "disposition", "durationSec", "valueEstCents",
					   "tags", "notes", NULL};

enum err export_columns_parse(const char *const *names, int n, struct export_spec *s, struct err_detail *d)
{
	s->ncols = 0;
	if (!names) {
		for (int i = 0; default_cols[i]; i++)
			s->cols[s->ncols++] = store_export_col(default_cols[i]);
		return ERR_OK;
	}
	if (n < 1 || n > EXPORT_MAX_COLS)
		return err_field_add(d, "columns", "must list 1 to %d columns", EXPORT_MAX_COLS);
	for (int i = 0; i < n; i++) {
		int c = store_export_col(names[i]);
		if (c < 0)
			return err_field_add(d, "columns", "unknown column %.40s", names[i]);
		for (int k = 0; k < s->ncols; k++)
			if (s->cols[k] == c)
				return err_field_add(d, "columns", "column %.40s is listed twice", names[i]);
		s->cols[s->ncols++] = c;
	}
	return ERR_OK;
}

int64_t export_estimate_sec(int64_t rows, bool pdf)
{
	int64_t per_sec = pdf ? 5000 : 200000;
	return 1 + rows / per_sec;
}

void export_blob_key(const char *job_id, bool pdf, char *out, size_t n)
{
	snprintf(out, n, "exports/%s.%s", job_id, pdf ? "pdf" : "csv");
}

/* The signing key: the setting, else a random key kept in the data directory.
 * Loaded once; guarded by key_once. */
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static const struct config *key_cfg;
static unsigned char key[32];
static size_t key_len;

static void key_load(void)
{
	const struct config *cfg = key_cfg;
	if (cfg->export_secret && cfg->export_secret[0]) {
		crypto_hmac_sha256(cfg->export_secret, strlen(cfg->export_secret), "export-link", 11, key);
		key_len = sizeof key;
		return;
	}
	char path[4200];
	snprintf(path, sizeof path, "%s/export-signing.key", cfg->data_dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t got = read(fd, key, sizeof key);
		close(fd);
		if (got == (ssize_t)sizeof key) {
			key_len = sizeof key;
			return;
		}
	}
	crypto_random(key, sizeof key);
	char tmp[4300];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0 && write(fd, key, sizeof key) == (ssize_t)sizeof key && fsync(fd) == 0 && close(fd) == 0) {
		fd = -1;
		/* Another process may have won the race: keep the file that exists. */
		if (link(tmp, path) != 0 && errno == EEXIST) {
			int rfd = open(path, O_RDONLY | O_CLOEXEC);
			if (rfd >= 0) {
				if (read(rfd, key, sizeof key) != (ssize_t)sizeof key)
					log_warn("export signing key file is short; using a new key");
				close(rfd);
			}
		}
		unlink(tmp);
	} else {
		log_warn("cannot keep the export signing key in %s: links end with this process", path);
	}
	if (fd >= 0)
		close(fd);
	key_len = sizeof key;
}

static void key_get(const struct config *cfg)
{
	key_cfg = cfg;
	pthread_once(&key_once, key_load);
}

enum err export_link_sign(const struct config *cfg, const char *job_id, int64_t expires, char *sig, size_t n)
{
	key_get(cfg);
	char msg[128];
	int len = snprintf(msg, sizeof msg, "%s.%" PRId64, job_id, expires);
	if (len < 0 || (size_t)len >= sizeof msg)
		return ERR_INVALID;
	unsigned char mac[32];
	crypto_hmac_sha256(key, key_len, msg, (size_t)len, mac);
	return crypto_base64(mac, sizeof mac, sig, n, true) ? ERR_OK : ERR_INVALID;
}

enum export_link export_link_check(const struct config *cfg, const char *job_id, const char *expires, const char *sig,
				   int64_t now_ms)
{
	if (!expires || !sig || !*expires || strlen(expires) > 15)
		return EXPORT_LINK_BAD;
	char *end;
	errno = 0;
	long long e = strtoll(expires, &end, 10);
	if (errno || *end || e <= 0)
		return EXPORT_LINK_BAD;
	char want[64];
	if (export_link_sign(cfg, job_id, e, want, sizeof want) != ERR_OK || !crypto_streq(want, sig))
		return EXPORT_LINK_BAD;
	return e * 1000 < now_ms ? EXPORT_LINK_EXPIRED : EXPORT_LINK_OK;
}
