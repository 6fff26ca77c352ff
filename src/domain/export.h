/* Export rules: which columns may be exported (an allowlist, store/bulk.h),
 * the defaults, the time estimate, where the file goes, and the signed
 * download link (HMAC-SHA256 over the job id and the expiry, with a key from
 * the export-secret setting or, when unset, one generated once and kept in
 * DATA/export-signing.key). */
#ifndef SB_DOMAIN_EXPORT_H
#define SB_DOMAIN_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/err.h"

#define EXPORT_MAX_COLS 32

struct export_spec {
	bool pdf;
	int cols[EXPORT_MAX_COLS]; /* indexes into export_cols */
	int ncols;
};

/* names[0..n-1] (NULL: the default columns) into s->cols; ERR_INVALID naming "columns". */
enum err export_columns_parse(const char *const *names, int n, struct export_spec *s, struct err_detail *d);
/* Seconds the export of rows is expected to take (at least 1). */
int64_t export_estimate_sec(int64_t rows, bool pdf);
/* The blob key of a job's file ("exports/<id>.csv"). */
void export_blob_key(const char *job_id, bool pdf, char *out, size_t n);

/* The link signature of (job id, expiry in epoch seconds) as base64url into sig (>= 48 bytes). */
enum err export_link_sign(const struct config *cfg, const char *job_id, int64_t expires, char *sig, size_t n);
enum export_link { EXPORT_LINK_OK, EXPORT_LINK_BAD, EXPORT_LINK_EXPIRED };
/* Checks a link's expiry text and signature at now_ms (constant-time comparison). */
enum export_link export_link_check(const struct config *cfg, const char *job_id, const char *expires, const char *sig,
				   int64_t now_ms);

#endif
