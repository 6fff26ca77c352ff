/* E-mail into .eml files under DATA/outbox: written to a temporary name and
 * renamed, one file per message id, so a resend replaces rather than doubles. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/ids.h"
#include "providers/email.h"

static enum err outbox_send(struct email_provider *p, const struct email_msg *m, struct err_detail *d)
{
	char dir[4096], path[4200], tmp[4300];
	snprintf(dir, sizeof dir, "%s/outbox", p->cfg->data_dir);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return err_set(d, ERR_UPSTREAM, "cannot create %s: %s", dir, strerror(errno));
	if (!id_valid(m->id))
		return err_set(d, ERR_INVALID, "message id is not an id");
	snprintf(path, sizeof path, "%s/%s.eml", dir, m->id);
	snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, m->id);
	char *text = email_render(p->cfg, m, clock_real_ms());
	if (!text)
		return ERR_NOMEM;
	enum err rc = ERR_OK;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t len = strlen(text);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) != 0 || rename(tmp, path) != 0)
		rc = err_set(d, ERR_UPSTREAM, "cannot write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (rc != ERR_OK)
		unlink(tmp);
	free(text);
	return rc;
}

static void outbox_free(struct email_provider *p)
{
	free(p);
}

enum err email_outbox_open(const struct config *cfg, struct email_provider **out, struct err_detail *d)
{
	(void)d;
	struct email_provider *p = calloc(1, sizeof *p);
	if (!p)
		return ERR_NOMEM;
	p->name = "outbox";
	p->send = outbox_send;
	p->free = outbox_free;
	p->cfg = cfg;
	*out = p;
	return ERR_OK;
}
