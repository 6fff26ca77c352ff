/* Blob storage in local files under DATA/blobs (the "fs" store, see blob.h). */
#include "providers/blob.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/crypto.h"

struct blob_store {
	char root[4096];
};

struct blob_writer {
	FILE *f;
	char tmp[4400];
	char path[4300];
};

static bool key_ok(const char *key)
{
	if (!key || !*key || strlen(key) > 200 || key[0] == '/' || strstr(key, ".."))
		return false;
	for (const char *p = key; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
		      *p == '_' || *p == '-' || *p == '/'))
			return false;
	return true;
}

enum err blob_store_open(const struct config *cfg, struct blob_store **out, struct err_detail *d)
{
	struct blob_store *bs = calloc(1, sizeof *bs);
	if (!bs)
		return ERR_NOMEM;
	int n = snprintf(bs->root, sizeof bs->root, "%s/blobs", cfg->data_dir);
	if (n < 0 || (size_t)n >= sizeof bs->root) {
		free(bs);
		return err_set(d, ERR_INVALID, "data directory path too long");
	}
	if (mkdir(bs->root, 0700) != 0 && errno != EEXIST) {
		free(bs);
		return err_set(d, ERR_IO, "cannot create the blob directory");
	}
	*out = bs;
	return ERR_OK;
}

void blob_store_free(struct blob_store *bs)
{
	free(bs);
}

/* Creates the directories of path (below root). */
static enum err make_parents(const char *root, const char *path)
{
	char tmp[4400];
	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + strlen(root) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
			return ERR_IO;
		*p = '/';
	}
	return ERR_OK;
}

enum err blob_create(struct blob_store *bs, const char *key, struct blob_writer **out, struct err_detail *d)
{
	if (!key_ok(key))
		return err_set(d, ERR_INVALID, "bad blob key");
	struct blob_writer *w = calloc(1, sizeof *w);
	if (!w)
		return ERR_NOMEM;
	unsigned r;
	crypto_random(&r, sizeof r);
	snprintf(w->path, sizeof w->path, "%s/%s", bs->root, key);
	snprintf(w->tmp, sizeof w->tmp, "%s.%08x.tmp", w->path, r);
	if (make_parents(bs->root, w->path) != ERR_OK) {
		free(w);
		return err_set(d, ERR_IO, "cannot create the blob's directory");
	}
	int fd = open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	w->f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!w->f) {
		if (fd >= 0)
			close(fd);
		free(w);
		return err_set(d, ERR_IO, "cannot create a blob file");
	}
	setvbuf(w->f, NULL, _IOFBF, 1 << 16);
	*out = w;
	return ERR_OK;
}

FILE *blob_writer_file(struct blob_writer *w)
{
	return w->f;
}

enum err blob_writer_commit(struct blob_writer *w, int64_t *size, struct err_detail *d)
{
	enum err rc = ERR_OK;
	if (fflush(w->f) != 0 || ferror(w->f) || fsync(fileno(w->f)) != 0)
		rc = err_set(d, ERR_IO, "cannot write a blob");
	struct stat sb;
	if (rc == ERR_OK && fstat(fileno(w->f), &sb) == 0)
		*size = sb.st_size;
	if (fclose(w->f) != 0 && rc == ERR_OK)
		rc = err_set(d, ERR_IO, "cannot write a blob");
	if (rc == ERR_OK && rename(w->tmp, w->path) != 0)
		rc = err_set(d, ERR_IO, "cannot publish a blob");
	if (rc != ERR_OK)
		unlink(w->tmp);
	free(w);
	return rc;
}

void blob_writer_abort(struct blob_writer *w)
{
	if (!w)
		return;
	fclose(w->f);
	unlink(w->tmp);
	free(w);
}

enum err blob_open_read(struct blob_store *bs, const char *key, int *fd, int64_t *size)
{
	if (!key_ok(key))
		return ERR_NOT_FOUND;
	char path[4400];
	snprintf(path, sizeof path, "%s/%s", bs->root, key);
	int f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return errno == ENOENT ? ERR_NOT_FOUND : ERR_IO;
	struct stat sb;
	if (fstat(f, &sb) != 0) {
		close(f);
		return ERR_IO;
	}
	*fd = f;
	*size = sb.st_size;
	return ERR_OK;
}

enum err blob_delete(struct blob_store *bs, const char *key)
{
	if (!key_ok(key))
		return ERR_INVALID;
	char path[4400];
	snprintf(path, sizeof path, "%s/%s", bs->root, key);
	return unlink(path) == 0 || errno == ENOENT ? ERR_OK : ERR_IO;
}
