/* The A2P window of real send starts (see send_window.h). */
#include "domain/send_window.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"

/* One workspace's starts: a ring, at[(head - i) mod MAX] the i-th last (1-based). */
struct starts {
	char ws[ID_SIZE];
	int64_t at[SEND_WINDOW_MAX_RATE];
	int head, n;
};

static struct starts **rings; /* grows; a ring whose last start left the window is reused */
static int nrings;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int64_t *kth_last(struct starts *s, int k)
{
	return &s->at[((s->head - k) % SEND_WINDOW_MAX_RATE + SEND_WINDOW_MAX_RATE) % SEND_WINDOW_MAX_RATE];
}

static void note(struct starts *s, int64_t at_us)
{
	s->at[s->head] = at_us;
	s->head = (s->head + 1) % SEND_WINDOW_MAX_RATE;
	if (s->n < SEND_WINDOW_MAX_RATE)
		s->n++;
}

static struct starts *find(const char *ws)
{
	for (int i = 0; i < nrings; i++)
		if (strcmp(rings[i]->ws, ws) == 0)
			return rings[i];
	return NULL;
}

/* A ring for ws: one whose starts no longer matter, or a new one. */
static struct starts *create(const char *ws, int64_t now_us)
{
	struct starts *s = NULL;
	for (int i = 0; i < nrings && !s; i++)
		if (rings[i]->n == 0 || *kth_last(rings[i], 1) <= now_us - SEND_WINDOW_US)
			s = rings[i];
	if (!s) {
		struct starts **grown = realloc(rings, (size_t)(nrings + 1) * sizeof *rings);
		if (!grown)
			return NULL;
		rings = grown;
		if (!(s = malloc(sizeof *s)))
			return NULL;
		rings[nrings++] = s;
	}
	memset(s, 0, sizeof *s);
	strncpy(s->ws, ws, sizeof s->ws - 1);
	return s;
}

bool send_window_known(const char *ws)
{
	pthread_mutex_lock(&lock);
	bool known = find(ws) != NULL;
	pthread_mutex_unlock(&lock);
	return known;
}

int64_t send_window_admit(const char *ws, int64_t rate, int64_t now_us, const int64_t *seed, int nseed)
{
	if (rate < 1)
		rate = 1;
	if (rate > SEND_WINDOW_MAX_RATE)
		rate = SEND_WINDOW_MAX_RATE;
	int64_t wait = 0;
	pthread_mutex_lock(&lock);
	struct starts *s = find(ws);
	if (!s) {
		if (!(s = create(ws, now_us))) {
			pthread_mutex_unlock(&lock);
			return -1;
		}
		for (int i = 0; i < nseed; i++)
			note(s, seed[i] < now_us ? seed[i] : now_us);
	}
	/* The clock was set back (tests): what lies ahead of it counts as now. */
	for (int i = 1; i <= s->n && *kth_last(s, i) > now_us; i++)
		*kth_last(s, i) = now_us;
	if (s->n >= rate) {
		int64_t free_at = *kth_last(s, (int)rate) + SEND_WINDOW_US;
		if (free_at > now_us)
			wait = free_at - now_us;
	}
	if (wait == 0)
		note(s, now_us);
	pthread_mutex_unlock(&lock);
	return wait;
}
