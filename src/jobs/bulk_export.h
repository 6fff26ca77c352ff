/* The export job: runs the filters (or a bulk job's calls) through one SQLite
 * cursor into a CSV or PDF file in the blob store, then marks the job
 * completed with the file's key, and queues an e-mail to the user when the
 * export is large. Memory stays flat whatever the row count. */
#ifndef SB_JOBS_BULK_EXPORT_H
#define SB_JOBS_BULK_EXPORT_H

#include "core/config.h"
#include "core/err.h"
#include "providers/blob.h"
#include "store/bulk.h"
#include "store/db.h"

/* Runs export job j (kind export, or bulk operation export). *rows = rows written. */
enum err bulk_export_run(struct db *db, const struct config *cfg, struct blob_store *bs, const struct bulk_job *j,
			 int64_t *rows, struct err_detail *d);

#endif
