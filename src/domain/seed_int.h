/* Private to the generator (seed.c: setup, contacts, times, the batch loop;
 * seed_call.c: the rules and text of one call). Not a contract for anyone else. */
#ifndef SB_DOMAIN_SEED_INT_H
#define SB_DOMAIN_SEED_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/ids.h"
#include "core/tz.h"
#include "domain/seed.h"
#include "store/jobs.h"
#include "store/model.h"
#include "store/seed.h"

#define HOUR_MS 3600000LL
#define DAY_MS 86400000LL
#define MIN_MS 60000LL
#define RING 4096  /* recent unknown / missed callers remembered for repeats and callbacks */
#define NSTAFF 5   /* staff[0..2] techs, staff[3..4] dispatchers */
#define NTECH 3

/* xoshiro256** (seeded through splitmix64 by seed_rng_init). */
struct rng {
	uint64_t s[4];
};

void seed_rng_init(struct rng *r, uint64_t seed, uint64_t stream);

static inline uint64_t rnext(struct rng *r)
{
	uint64_t *s = r->s, x = s[1] * 5, out = ((x << 7) | (x >> 57)) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = (s[3] << 45) | (s[3] >> 19);
	return out;
}
/* Uniform in [0, 1). */
static inline double unit(struct rng *r) { return (double)(rnext(r) >> 11) * 0x1.0p-53; }
static inline bool chance(struct rng *r, double p) { return unit(r) < p; }
/* Uniform integer in [lo, hi]. */
static inline int64_t range(struct rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rnext(r) % (uint64_t)(hi - lo + 1));
}
/* Index drawn with integer weights w[0..n-1]. */
int seed_pick(struct rng *r, const int *w, int n);
#define PICK(r, w) seed_pick(r, w, (int)(sizeof(w) / sizeof((w)[0])))
#define ONE_OF(r, a) ((a)[range(r, 0, (int64_t)(sizeof(a) / sizeof((a)[0])) - 1)])

/* A UUIDv7 for time ms whose other 74 bits come from r. */
void seed_id(struct rng *r, int64_t ms, char out[ID_SIZE]);
/* A vendor-style id: a 2-letter prefix and 32 hex digits ("CA...", "RE..."), the
 * first 12 of them the time ms, so ids made in time order index in order. */
void seed_sid(struct rng *r, const char *prefix, int64_t ms, char out[40]);
/* FNV-1a digest steps. */
void seed_h_str(uint64_t *h, const char *s);
void seed_h_int(uint64_t *h, int64_t v);

/* The callers' number space: index -> "+1NPA555XXXX" / "(NPA) 555-XXXX". */
void seed_num_e164(uint32_t idx, char out[20]);
void seed_num_raw(uint32_t idx, char out[24]);

struct topic;

struct person {
	char id[ID_SIZE];
	const char *name, *email, *address; /* arena */
	uint32_t phones[3];
	uint8_t nphones;
	bool vip;
	char job_id[ID_SIZE]; /* latest job ("" when none) */
	int64_t job_at;
};

struct gen {
	struct db *db;
	const struct seed_opts *o;
	struct seed_summary *sum;
	struct err_detail *d;
	struct arena *a;
	struct rng rs, rt, rc; /* setup and contacts; times; calls */
	char ws[ID_SIZE];
	char company[96];
	const struct tz *tz;   /* the workspace's zone (core/tz.h cache), NULL = UTC */
	int64_t start, now;
	char staff_id[NSTAFF][ID_SIZE];
	char staff_email[NSTAFF][160];
	char staff_name[NSTAFF][64];
	struct seed_number num[3]; /* main line, Google Business Profile, ads */
	struct person *people;
	int64_t npeople, cap;
	int64_t first_new;     /* people[first_new..] were made by this run */
	/* The run's recent_n newest calls count as recent (may still wait for an
	 * outcome) even when a small run has none in the last day or two. */
	int64_t recent_n;
	int32_t *owner;  /* per number: 0 free, k + 1 = people[k], -1 spam */
	uint32_t *count; /* per number: inbound calls so far */
	uint32_t *spam;
	int64_t nspam;
	uint32_t unknown_ring[RING];
	int64_t nunknown;
	struct {
		uint32_t num;
		int32_t person;
	} missed_ring[RING];
	int64_t nmissed;
	uint8_t *slot_hour, *slot_wd; /* local hour, weekday of each UTC hour of the window */
};

/* A number nobody owns (no contact, not a robocaller). */
uint32_t seed_free_number(struct gen *g, struct rng *r);

/* Local time in the workspace's zone: the UTC ms of t's local midnight; t's local hour and weekday (0 = Sunday). */
int64_t seed_local_midnight(const struct gen *g, int64_t t);
void seed_local_time(const struct gen *g, int64_t t, int *hour, int *wd);
static inline int64_t before_now(const struct gen *g, int64_t t) { return t < g->now ? t : g->now - 1000; }

/* One call being made, with what hangs off it; buffers own its strings. */
struct gcall {
	struct call c;
	struct seed_call_extra x;
	char id[ID_SIZE], sid[40], from[24], to[24], raw[24], rec_sid[40], rec_url[96], notes[200];
	const char *tags[6];
	int32_t person;
	uint32_t num;
	int tn;              /* tracking number */
	const struct topic *topic;
	const char *says;    /* what the caller called about, in their words */
	int agent, assignee; /* staff index or -1 */
	bool missed, job_linked;
	int hour, wd;        /* local */
	int64_t newest;      /* 0 = the run's newest call */
	bool new_job;
	struct job job;
	char job_id[ID_SIZE], job_addr[96];
	int techs[2], ntechs;
	bool has_tr;
	struct transcript tr;
	bool has_fu;
	struct followup fu;
	char fu_id[ID_SIZE], fu_note[120];
	int fu_assignee;
	/* Last: not cleared between calls. Room for 8 turns of 300 bytes, escaped. */
	char body[16384], text[4096];
};

/* Makes the call starting at t, the newest-th newest of the run (0 = the last),
 * drawing from g->rc and updating the caller pools. */
void seed_call_make(struct gen *g, struct gcall *k, int64_t t, int64_t newest);
/* Writes it (job, call, tags, transcript, follow-up), adds it to the summary and digest. */
enum err seed_call_write(struct gen *g, struct gcall *k);

#endif
