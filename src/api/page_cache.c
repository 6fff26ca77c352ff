/* Per-thread response cache: a few entries, replaced round-robin; everything
 * is dropped at once when the database version moves. */
#include "api/page_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define ENTRIES 16
#define MAX_BODY (512u * 1024)
#define MAX_KEY 2048

struct entry {
	char *key;
	char *body;
	size_t len;
	int64_t valid_until;
};

struct cache {
	uint64_t version;
	struct entry e[ENTRIES];
	int next;
};

static pthread_key_t key_slot;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void clear(struct cache *c)
{
	for (int i = 0; i < ENTRIES; i++) {
		free(c->e[i].key);
		free(c->e[i].body);
		c->e[i] = (struct entry){0};
	}
}

static void destroy(void *p)
{
	clear(p);
	free(p);
}

static void make_key(void)
{
	pthread_key_create(&key_slot, destroy);
}

static struct cache *mine(bool create)
{
	pthread_once(&once, make_key);
	struct cache *c = pthread_getspecific(key_slot);
	if (!c && create) {
		c = calloc(1, sizeof *c);
		if (c)
			pthread_setspecific(key_slot, c);
	}
	return c;
}

char *page_cache_get(const char *key, uint64_t version, int64_t now, size_t *len)
{
	struct cache *c = mine(false);
	if (!c || c->version != version)
		return NULL;
	for (int i = 0; i < ENTRIES; i++) {
		if (!c->e[i].key || strcmp(c->e[i].key, key) != 0)
			continue;
		if (now >= c->e[i].valid_until)
			return NULL;
		char *copy = malloc(c->e[i].len ? c->e[i].len : 1);
		if (!copy)
			return NULL;
		memcpy(copy, c->e[i].body, c->e[i].len);
		*len = c->e[i].len;
		return copy;
	}
	return NULL;
}

void page_cache_put(const char *key, uint64_t version, int64_t valid_until, const char *body, size_t len)
{
	if (len > MAX_BODY || strlen(key) > MAX_KEY)
		return;
	struct cache *c = mine(true);
	if (!c)
		return;
	if (c->version != version) {
		clear(c);
		c->version = version;
	}
	struct entry *e = NULL;
	for (int i = 0; i < ENTRIES && !e; i++) /* a key recomputed after its time ran out */
		if (c->e[i].key && strcmp(c->e[i].key, key) == 0)
			e = &c->e[i];
	if (!e) {
		e = &c->e[c->next];
		c->next = (c->next + 1) % ENTRIES;
	}
	free(e->key);
	free(e->body);
	e->key = strdup(key);
	e->body = malloc(len ? len : 1);
	if (!e->key || !e->body) {
		free(e->key);
		free(e->body);
		*e = (struct entry){0};
		return;
	}
	memcpy(e->body, body, len);
	e->valid_until = valid_until;
	e->len = len;
}
