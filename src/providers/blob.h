/* Blob storage for generated files (exports): one interface, picked by
 * configuration. "fs" (the default) keeps files under DATA/blobs; an
 * S3-compatible store can implement the same calls. Keys are relative paths of
 * [A-Za-z0-9._-] segments ("exports/<job id>.csv").
 *
 * Writing is streamed: blob_create gives a FILE* to write to; nothing is
 * visible under the key until blob_writer_commit, so a crash mid-write leaves
 * no half file (a new attempt starts over). */
#ifndef SB_PROVIDERS_BLOB_H
#define SB_PROVIDERS_BLOB_H

#include <stdint.h>
#include <stdio.h>

#include "core/config.h"
#include "core/err.h"

struct blob_store;
struct blob_writer;

/* The store the configuration names (cfg borrowed). Caller frees with blob_store_free. */
enum err blob_store_open(const struct config *cfg, struct blob_store **out, struct err_detail *d);
void blob_store_free(struct blob_store *bs);

/* Starts writing key (replacing it on commit). Caller ends it with commit or abort. */
enum err blob_create(struct blob_store *bs, const char *key, struct blob_writer **out, struct err_detail *d);
/* Where to write (borrowed until commit/abort). */
FILE *blob_writer_file(struct blob_writer *w);
/* Flushes, syncs and publishes under the key; *size = bytes. Frees w in every case. */
enum err blob_writer_commit(struct blob_writer *w, int64_t *size, struct err_detail *d);
/* Drops what was written; NULL is fine. */
void blob_writer_abort(struct blob_writer *w);

/* Opens key for reading: *fd (caller closes) and its size. ERR_NOT_FOUND when absent. */
enum err blob_open_read(struct blob_store *bs, const char *key, int *fd, int64_t *size);
/* Removes key (absent is fine). */
enum err blob_delete(struct blob_store *bs, const char *key);

#endif
