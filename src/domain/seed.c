/* The call-data generator (see seed.h). Owns the PRNG, the deterministic id
 * maker, the phone-number space, the vocabulary, and the rules that make a
 * generated call look like a field-service business's phone line:
 *
 *  - times: 90 days (by default) before `now`, weighted by local weekday and
 *    hour (Mon-Sat 7-19 busy, a lunch peak, a few calls at night), generated
 *    up front and sorted, so calls are written oldest first and prior-call
 *    counts are those of the data;
 *  - callers: ~60% known contacts (1-3 phones each, some call often), the rest
 *    new or returning unknown numbers, ~8% spam from a small set of robocallers;
 *  - outcomes: ~30% missed (no_answer / voicemail), AI vs human answers
 *    (AI mostly after hours), booked calls with jobs and techs, follow-ups on
 *    missed calls, calls of the last day or two still waiting in triage;
 *  - text: tags, notes, and multi-turn transcripts on about a quarter of calls.
 *
 * Every row satisfies the calls module's bookkeeping (calls_queue_refresh):
 * a call with a disposition needs no outcome; one without (recent) does and
 * sits in triage; spam never does.
 *
 * Numbers are NPA-555-XXXX with real US area codes (valid for libphonenumber);
 * NPA-555-01XX is kept for tracking numbers, the rest is the callers' space,
 * indexed 0..SPACE-1 so per-number state fits in two flat arrays. */
#include "domain/seed.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/tz.h"
#include "domain/accounts.h"
#include "domain/seed_int.h"
#include "store/accounts.h"
#include "store/contacts.h"
#include "store/seed.h"

#define BATCH 10000
#define BULK_MIN 100000         /* calls: from here on one transaction, indexes rebuilt once */
#define FTS_BUFFER (64 << 20)   /* search index buffer during a bulk load */

/* ---- PRNG, ids, digest ---- */

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void seed_rng_init(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix(&x);
}

int seed_pick(struct rng *r, const int *w, int n)
{
	int total = 0;
	for (int i = 0; i < n; i++)
		total += w[i];
	int x = (int)range(r, 0, total - 1);
	for (int i = 0; i < n; i++)
		if ((x -= w[i]) < 0)
			return i;
	return n - 1;
}

static const char hexd[] = "0123456789abcdef";

void seed_id(struct rng *r, int64_t ms, char out[ID_SIZE])
{
	unsigned char b[16];
	uint64_t x = rnext(r), y = rnext(r);
	for (int i = 0; i < 6; i++)
		b[i] = (unsigned char)((uint64_t)ms >> (40 - 8 * i));
	b[6] = (unsigned char)(0x70 | (x & 0x0f));
	b[7] = (unsigned char)(x >> 8);
	for (int i = 8; i < 16; i++)
		b[i] = (unsigned char)(y >> (8 * (i - 8)));
	b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));
	char *o = out;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		*o++ = hexd[b[i] >> 4];
		*o++ = hexd[b[i] & 15];
	}
	*o = 0;
}

void seed_sid(struct rng *r, const char *prefix, int64_t ms, char out[40])
{
	uint64_t x = rnext(r), y = rnext(r), t = (uint64_t)ms;
	int n = snprintf(out, 40, "%.2s", prefix);
	for (int i = 11; i >= 0; i--)
		out[n++] = hexd[(t >> (4 * i)) & 15];
	for (int i = 0; i < 16; i++, x >>= 4)
		out[n++] = hexd[x & 15];
	for (int i = 0; i < 4; i++, y >>= 4)
		out[n++] = hexd[y & 15];
	out[n] = 0;
}

static void h_bytes(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		*h = (*h ^ s[i]) * 0x100000001b3ULL;
}
void seed_h_str(uint64_t *h, const char *s) { h_bytes(h, s ? s : "\1", s ? strlen(s) + 1 : 1); }
void seed_h_int(uint64_t *h, int64_t v) { h_bytes(h, &v, sizeof v); }

/* ---- phone numbers ---- */

static const short npas[] = {
	201, 202, 203, 205, 206, 207, 208, 210, 212, 213, 214, 215, 216, 217, 218, 219, 224, 225, 228, 229, 231, 234,
	239, 240, 248, 251, 252, 253, 254, 256, 260, 262, 267, 269, 270, 276, 281, 301, 302, 303, 304, 305, 307, 308,
	309, 310, 312, 313, 314, 315, 316, 317, 318, 319, 320, 321, 323, 325, 330, 334, 336, 337, 339, 347, 351, 352,
	360, 361, 386, 401, 402, 404, 405, 406, 407, 408, 409, 410, 412, 413, 414, 415, 417, 419, 423, 425, 432, 434,
	435, 440, 443, 469, 470, 475, 478, 479, 480, 484, 501, 502, 503, 504, 505, 507, 508, 509, 510, 512, 513, 515,
	516, 517, 518, 520, 530, 540, 541, 551, 559, 561, 562, 563, 567, 570, 571, 573, 574, 580, 585, 586, 601, 602,
	603, 605, 606, 607, 608, 609, 610, 612, 614, 615, 616, 617, 618, 619, 620, 623, 626, 630, 631, 636, 641, 646,
	650, 651, 660, 661, 662, 678, 682, 701, 702, 703, 704, 706, 707, 708, 712, 713, 714, 715, 716, 717, 718, 719,
	720, 724, 727, 731, 732, 734, 740, 754, 757, 760, 763, 765, 770, 772, 773, 774, 775, 781, 785, 786, 801, 802,
	803, 804, 805, 806, 808, 810, 812, 813, 814, 815, 816, 817, 818, 828, 830, 831, 832, 843, 845, 847, 848, 850,
	856, 857, 858, 859, 860, 862, 863, 864, 865, 870, 901, 903, 904, 906, 907, 908, 909, 910, 912, 913, 914, 915,
	916, 917, 918, 919, 920, 925, 928, 931, 936, 937, 940, 941, 947, 949, 951, 952, 954, 956, 970, 971, 972, 973,
	978, 979, 980, 985, 989};
#define NNPA ((uint32_t)(sizeof npas / sizeof npas[0]))
#define LINES 9900u /* 555-0000..0099 and 555-0200..9999 */
#define SPACE (NNPA * LINES)

static void num_parts(uint32_t idx, int *npa, int *line)
{
	*npa = npas[idx / LINES];
	unsigned l = idx % LINES;
	*line = (int)(l < 100 ? l : l + 100);
}

void seed_num_e164(uint32_t idx, char out[20])
{
	int npa, line;
	num_parts(idx, &npa, &line);
	snprintf(out, 20, "+1%03d555%04d", npa, line);
}

void seed_num_raw(uint32_t idx, char out[24])
{
	int npa, line;
	num_parts(idx, &npa, &line);
	snprintf(out, 24, "(%03d) 555-%04d", npa, line);
}

/* Index of a number of the callers' space, or -1 for any other number. */
static int64_t num_index(const char *e164)
{
	if (!e164 || strlen(e164) != 12 || strncmp(e164, "+1", 2) != 0 || strncmp(e164 + 5, "555", 3) != 0)
		return -1;
	int npa = 0, line = 0;
	for (int i = 2; i < 5; i++)
		npa = npa * 10 + (e164[i] - '0');
	for (int i = 8; i < 12; i++) {
		if (e164[i] < '0' || e164[i] > '9')
			return -1;
		line = line * 10 + (e164[i] - '0');
	}
	if (line >= 100 && line < 200)
		return -1;
	for (uint32_t i = 0; i < NNPA; i++)
		if (npas[i] == npa)
			return (int64_t)i * LINES + (line < 100 ? line : line - 100);
	return -1;
}

/* ---- local time: the workspace's zone ---- */

static int64_t weekday(int64_t day) { return ((day % 7) + 11) % 7; } /* 0 = Sunday; 1970-01-01 was a Thursday */

/* Offset from UTC in ms at utc in the workspace's zone (UTC when it could not be loaded). */
static int64_t zone_offset(const struct gen *g, int64_t utc) { return (int64_t)tz_offset_at(g->tz, utc, NULL) * 1000; }

/* ---- vocabulary ---- */

static const char *const first_names[] = {
	"James", "Maria", "Robert", "Linda", "Michael", "Patricia", "David", "Jennifer", "William", "Elizabeth",
	"Carlos", "Susan", "Thomas", "Jessica", "Daniel", "Karen", "Matthew", "Nancy", "Anthony", "Lisa", "Mark",
	"Betty", "Steven", "Sandra", "Andrew", "Ashley", "Kevin", "Emily", "Brian", "Donna", "Jose", "Michelle",
	"Ryan", "Carol", "Jacob", "Amanda", "Gary", "Melissa", "Eric", "Deborah", "Jonathan", "Stephanie", "Luis",
	"Rebecca", "Justin", "Laura", "Scott", "Helen", "Brandon", "Sharon", "Samuel", "Cynthia", "Raymond", "Kathleen",
	"Frank", "Amy", "Gregory", "Angela", "Alexander", "Shirley", "Patrick", "Anna", "Jack", "Ruth", "Dennis",
	"Brenda", "Tyler", "Pamela", "Aaron", "Nicole", "Adam", "Katherine", "Nathan", "Samantha", "Henry", "Christine",
	"Zachary", "Rachel", "Kyle", "Janet", "Noah", "Carolyn", "Ethan", "Maribel", "Wei", "Aisha", "Tomasz", "Priya",
	"Hiroshi", "Fatima", "Dmitri", "Guadalupe", "Kwame", "Ingrid", "Rafael", "Yesenia"};
static const char *const last_names[] = {
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
	"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee",
	"Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young",
	"Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker",
	"Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz",
	"Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers",
	"Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim",
	"Cox", "Ward", "Richardson", "Watson", "Brooks", "Chavez", "Wood", "Bennett", "Gray", "Mendoza", "Ruiz",
	"Hughes", "Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Kowalski",
	"Okafor", "Yamamoto", "Novak", "Haddad", "Lindqvist"};
static const char *const streets[] = {
	"Oak", "Maple", "Cedar", "Pine", "Elm", "Washington", "Lake", "Hill", "Park", "Main", "Sunset", "Willow",
	"Highland", "Ridge", "Meadow", "Forest", "River", "Church", "Spring", "Mill", "Chestnut", "Walnut", "Franklin",
	"Jefferson", "Lincoln", "Madison", "Cherry", "Birch", "Dogwood", "Magnolia", "Aspen", "Juniper"};
static const char *const street_kinds[] = {"St", "Ave", "Rd", "Dr", "Ln", "Ct", "Blvd", "Way", "Pl", "Ter"};
static const char *const cities[] = {
	"Springfield", "Riverside", "Fairview", "Franklin", "Greenville", "Bristol", "Clinton", "Georgetown",
	"Salem", "Madison", "Arlington", "Ashland", "Oxford", "Milton", "Newport", "Dover", "Burlington", "Auburn"};
static const char *const mail_domains[] = {"gmail.com", "gmail.com", "gmail.com", "yahoo.com", "outlook.com",
					  "icloud.com", "hotmail.com", "aol.com", "comcast.net", "proton.me"};

/* The staff the generator makes sure exist (3 techs, 2 dispatchers). */
static const struct {
	const char *name, *local;
	enum role role;
} staff[] = {
	{"Marcus Reed", "marcus.reed", ROLE_TECH},    {"Dana Whitfield", "dana.whitfield", ROLE_TECH},
	{"Luis Ortega", "luis.ortega", ROLE_TECH},    {"Priya Nair", "priya.nair", ROLE_DISPATCHER},
	{"Jordan Blake", "jordan.blake", ROLE_DISPATCHER},
};

static const struct {
	const char *label, *routing, *after_hours;
} number_specs[3] = {
	{"Main line", "human", "ai"}, {"Google Business Profile", "overflow", "ai"}, {"Ads & van wrap", "human", "vm"}};

/* Local weekday (0 = Sunday) and hour weights: Mon-Sat 7-19 busy, lunch peak. */
static const double day_weight[7] = {0.22, 1.15, 1.08, 1.04, 1.0, 0.96, 0.58};
static const double hour_weight[24] = {0.12, 0.08, 0.06, 0.06, 0.08, 0.18, 0.5, 2.6, 5.8, 7.8, 8.4, 8.8,
				       10.6, 9.6, 8.0, 7.4, 6.9, 5.6, 3.8, 1.6, 0.95, 0.65, 0.4, 0.22};

int64_t seed_local_midnight(const struct gen *g, int64_t t)
{
	int64_t off = zone_offset(g, t), local = t + off;
	return local - local % DAY_MS - off;
}

void seed_local_time(const struct gen *g, int64_t t, int *hour, int *wd)
{
	int64_t s = (t - g->start) / HOUR_MS;
	if (t >= g->start && t < g->now) {
		*hour = g->slot_hour[s];
		*wd = g->slot_wd[s];
		return;
	}
	int64_t local = t + zone_offset(g, t);
	*hour = (int)((local % DAY_MS) / HOUR_MS);
	*wd = (int)weekday(local / DAY_MS);
}

static enum err db_fail(struct gen *g, enum err rc, const char *what)
{
	db_rollback(g->db);
	return err_set(g->d, rc, "%s: %s (%s)", what, err_str(rc), db_errmsg(g->db));
}

/* ---- setup: staff, workspace, tracking numbers ---- */

static enum err setup_staff(struct gen *g)
{
	struct workspace ws;
	bool had_ws = store_workspace_by_slug(g->db, g->o->workspace, &ws) == ERR_OK;
	for (int i = 0; i < NSTAFF; i++) {
		snprintf(g->staff_email[i], sizeof g->staff_email[i], "%s@%s.example.com", staff[i].local,
			 g->o->workspace);
		struct user u;
		char role[16];
		bool member = had_ws && store_user_by_email(g->db, g->staff_email[i], &u, NULL, 0) == ERR_OK &&
			      store_membership_role(g->db, ws.id, u.id, role) == ERR_OK;
		struct new_user nu = {.workspace_slug = g->o->workspace, .email = g->staff_email[i],
				      .role = staff[i].role, .name = staff[i].name};
		enum err rc = accounts_user_add(g->db, &nu, &u, g->d);
		if (rc != ERR_OK)
			return rc;
		memcpy(g->staff_id[i], u.id, ID_SIZE);
		snprintf(g->staff_name[i], sizeof g->staff_name[i], "%s", staff[i].name);
		g->sum->users += !member;
	}
	enum err rc = store_workspace_by_slug(g->db, g->o->workspace, &ws);
	if (rc != ERR_OK)
		return err_set(g->d, rc, "workspace %s: %s", g->o->workspace, err_str(rc));
	memcpy(g->ws, ws.id, ID_SIZE);
	g->tz = tz_get(ws.time_zone); /* NULL (UTC) for a zone the system does not know */
	/* "acme-plumbing" answers the phone as "Acme Plumbing Home Services". */
	snprintf(g->company, sizeof g->company, "%s Home Services", g->o->workspace);
	for (char *p = g->company; *p && p < g->company + strlen(g->o->workspace); p++) {
		if (*p == '-')
			*p = ' ';
		else if ((p == g->company || p[-1] == ' ') && *p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	}
	return ERR_OK;
}

/* Three active tracking numbers: the ones the workspace has, then new ones in NPA-555-01XX. */
static enum err setup_numbers(struct gen *g)
{
	int n = 0;
	enum err rc = db_begin_write(g->db);
	if (rc == ERR_OK)
		rc = store_seed_numbers_get(g->db, g->ws, g->num, 3, &n);
	uint64_t h = 0xcbf29ce484222325ULL;
	seed_h_str(&h, g->o->workspace);
	for (int i = n; i < 3 && rc == ERR_OK; i++) {
		struct seed_number *x = &g->num[i];
		memset(x, 0, sizeof *x);
		x->created_at = g->start - 400 * DAY_MS + i * DAY_MS;
		seed_id(&g->rs, x->created_at, x->id);
		snprintf(x->label, sizeof x->label, "%s", number_specs[i].label);
		x->routing_mode = number_specs[i].routing;
		x->after_hours = number_specs[i].after_hours;
		rc = ERR_CONFLICT;
		for (uint64_t k = 0; k < 200 && rc == ERR_CONFLICT; k++) {
			uint64_t slot = (h + (uint64_t)i * 7 + k * 7919) % (NNPA * 100);
			snprintf(x->e164, sizeof x->e164, "+1%03d555%04d", npas[slot / 100], 100 + (int)(slot % 100));
			rc = store_seed_number_insert(g->db, g->ws, x);
		}
		g->sum->numbers += rc == ERR_OK;
	}
	if (rc == ERR_OK)
		rc = db_commit(g->db);
	return rc == ERR_OK ? ERR_OK : db_fail(g, rc, "tracking numbers");
}

/* ---- contacts: earlier ones (second run) and new ones ---- */

static struct person *person_add(struct gen *g)
{
	if (g->npeople == g->cap) {
		int64_t cap = g->cap ? g->cap * 2 : 1024;
		struct person *p = realloc(g->people, sizeof *p * (size_t)cap);
		if (!p)
			return NULL;
		g->people = p;
		g->cap = cap;
	}
	struct person *p = &g->people[g->npeople++];
	memset(p, 0, sizeof *p);
	return p;
}

static bool on_contact(void *ctx, const char *id, const char *name, const char *email, const char *address)
{
	struct gen *g = ctx;
	struct person *p = person_add(g);
	if (!p)
		return false;
	snprintf(p->id, sizeof p->id, "%s", id);
	p->name = arena_strdup(g->a, name);
	p->email = arena_strdup(g->a, email);
	p->address = arena_strdup(g->a, address);
	return true;
}

static int by_id(const void *a, const void *b, void *ctx)
{
	const struct person *people = ctx;
	return strcmp(people[*(const int32_t *)a].id, people[*(const int32_t *)b].id);
}

struct phone_ctx {
	struct gen *g;
	int32_t *order;
};

static bool on_phone(void *ctx, const char *e164, const char *contact_id)
{
	struct phone_ctx *pc = ctx;
	struct gen *g = pc->g;
	int64_t idx = num_index(e164), lo = 0, hi = g->npeople - 1;
	while (idx >= 0 && lo <= hi) {
		int64_t mid = (lo + hi) / 2;
		struct person *p = &g->people[pc->order[mid]];
		int c = strcmp(p->id, contact_id);
		if (c == 0) {
			if (p->nphones < 3 && g->owner[idx] == 0) {
				p->phones[p->nphones++] = (uint32_t)idx;
				g->owner[idx] = pc->order[mid] + 1;
			}
			break;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return true;
}

static bool on_count(void *ctx, const char *e164, int64_t n)
{
	struct gen *g = ctx;
	int64_t idx = num_index(e164);
	if (idx >= 0)
		g->count[idx] = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
	return true;
}

static enum err load_existing(struct gen *g)
{
	enum err rc = store_seed_contacts_each(g->db, g->ws, on_contact, g);
	if (rc == ERR_OK && g->npeople) {
		struct phone_ctx pc = {g, malloc(sizeof(int32_t) * (size_t)g->npeople)};
		if (!pc.order)
			return ERR_NOMEM;
		for (int32_t i = 0; i < g->npeople; i++)
			pc.order[i] = i;
		qsort_r(pc.order, (size_t)g->npeople, sizeof(int32_t), by_id, g->people);
		rc = store_seed_phones_each(g->db, g->ws, on_phone, &pc);
		free(pc.order);
	}
	if (rc == ERR_OK)
		rc = store_seed_caller_counts_each(g->db, g->ws, on_count, g);
	return rc == ERR_OK ? ERR_OK : db_fail(g, rc, "reading earlier data");
}

/* Rejection sampling: the space is mostly free. */
uint32_t seed_free_number(struct gen *g, struct rng *r)
{
	uint32_t idx;
	do
		idx = (uint32_t)range(r, 0, SPACE - 1);
	while (g->owner[idx] != 0);
	return idx;
}

static void lower_into(char *dst, size_t n, const char *src)
{
	size_t i = 0;
	for (; src[i] && i + 1 < n; i++)
		dst[i] = (char)(src[i] >= 'A' && src[i] <= 'Z' ? src[i] - 'A' + 'a' : src[i]);
	dst[i] = 0;
}

static enum err make_person(struct gen *g)
{
	static const int nphones_w[] = {60, 30, 10}, channel_w[] = {40, 30, 10, 20};
	static const char *const channels[] = {"call", "sms", "email", NULL};
	struct rng *r = &g->rs;
	struct person *p = person_add(g);
	if (!p)
		return ERR_NOMEM;
	/* One draw per statement: argument evaluation order is unspecified, the stream's is not. */
	const char *first = ONE_OF(r, first_names);
	const char *last = ONE_OF(r, last_names);
	char name[64], email[96] = "", address[96] = "", fl[32], ll[32], e164[3][20];
	snprintf(name, sizeof name, "%s %s", first, last);
	if (chance(r, 0.65)) {
		lower_into(fl, sizeof fl, first);
		lower_into(ll, sizeof ll, last);
		int suffix = chance(r, 0.4) ? (int)range(r, 1, 99) : 0;
		const char *domain = ONE_OF(r, mail_domains);
		if (suffix)
			snprintf(email, sizeof email, "%s.%s%d@%s", fl, ll, suffix, domain);
		else
			snprintf(email, sizeof email, "%s.%s@%s", fl, ll, domain);
	}
	if (chance(r, 0.85)) {
		int house = (int)range(r, 10, 9899);
		const char *street = ONE_OF(r, streets);
		const char *kind = ONE_OF(r, street_kinds);
		const char *city = ONE_OF(r, cities);
		snprintf(address, sizeof address, "%d %s %s, %s", house, street, kind, city);
	}
	p->vip = chance(r, 0.03);
	/* About 2% are on do-not-contact; the first contact of every run (one of the
	 * frequent callers) is, so even a small workspace has one for the compliance gate. */
	bool dnc = chance(r, 0.02) || g->npeople == g->first_new + 1;
	int64_t created = g->start - range(r, DAY_MS, 3 * 365 * DAY_MS);
	seed_id(r, created, p->id);
	p->name = arena_strdup(g->a, name);
	p->email = email[0] ? arena_strdup(g->a, email) : NULL;
	p->address = address[0] ? arena_strdup(g->a, address) : NULL;
	const char *phones[3];
	p->nphones = (uint8_t)(PICK(r, nphones_w) + 1);
	for (int i = 0; i < p->nphones; i++) {
		p->phones[i] = seed_free_number(g, r);
		g->owner[p->phones[i]] = (int32_t)g->npeople;
		seed_num_e164(p->phones[i], e164[i]);
		phones[i] = e164[i];
	}
	struct contact ct = {.id = p->id, .workspace_id = g->ws, .name = p->name, .email = email[0] ? email : NULL,
			     .address = p->address, .notes = p->vip ? "VIP: commercial account, priority scheduling." : NULL,
			     .do_not_contact = dnc, .preferred_channel = channels[PICK(r, channel_w)], .time_windows = "[]",
			     .last_seen_at = I64_NULL, .created_at = created, .updated_at = created, .phones = phones,
			     .nphones = p->nphones};
	uint64_t *h = &g->sum->digest;
	seed_h_str(h, ct.id), seed_h_str(h, ct.name), seed_h_str(h, ct.email), seed_h_str(h, ct.address), seed_h_str(h, ct.notes);
	seed_h_int(h, dnc), seed_h_str(h, ct.preferred_channel), seed_h_int(h, created);
	for (int i = 0; i < p->nphones; i++)
		seed_h_str(h, phones[i]);
	g->sum->contacts++;
	g->sum->phones += p->nphones;
	return store_seed_contact_insert(g->db, &ct);
}

static enum err make_people(struct gen *g, int64_t n)
{
	enum err rc = ERR_OK;
	g->first_new = g->npeople;
	int64_t after_rid = 0;
	for (int64_t i = 0; i < n && rc == ERR_OK; i++) {
		if (i % BATCH == 0 && ((rc = db_begin_write(g->db)) != ERR_OK ||
				       (rc = store_seed_contacts_max_rid(g->db, &after_rid)) != ERR_OK))
			break;
		rc = make_person(g);
		if (rc == ERR_OK && (i % BATCH == BATCH - 1 || i == n - 1)) {
			if ((rc = store_seed_contacts_index(g->db, after_rid)) == ERR_OK)
				rc = db_commit(g->db);
			if (g->o->progress)
				g->o->progress(g->o->progress_ctx, i + 1, n, "contacts");
		}
	}
	return rc == ERR_OK ? ERR_OK : db_fail(g, rc, "contacts");
}

/* A free number in the main line's area code (NPA-555, the tracking number's
 * own exchange): how "neighbour spoofing" robocallers pick caller ids. */
static uint32_t neighbour_number(struct gen *g, struct rng *r)
{
	int npa = 0;
	for (int i = 2; i < 5 && g->num[0].e164[i]; i++)
		npa = npa * 10 + (g->num[0].e164[i] - '0');
	for (uint32_t k = 0; k < NNPA; k++) {
		if (npas[k] != npa)
			continue;
		for (int tries = 0; tries < 64; tries++) {
			uint32_t idx = k * LINES + (uint32_t)range(r, 0, LINES - 1);
			if (g->owner[idx] == 0)
				return idx;
		}
	}
	return seed_free_number(g, r);
}

/* The spam callers: half spoof the main line's exchange, the rest are random. */
static enum err make_spam_pool(struct gen *g)
{
	g->nspam = g->o->calls / 400 > 4 ? g->o->calls / 400 : 4;
	if (!(g->spam = malloc(sizeof *g->spam * (size_t)g->nspam)))
		return ERR_NOMEM;
	for (int64_t i = 0; i < g->nspam; i++) {
		g->spam[i] = i % 2 ? neighbour_number(g, &g->rs) : seed_free_number(g, &g->rs);
		g->owner[g->spam[i]] = -1;
	}
	return ERR_OK;
}

/* ---- times: every call's start, drawn by local weekday and hour, sorted ---- */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int64_t *make_times(struct gen *g)
{
	int64_t nslots = (g->now - g->start + HOUR_MS - 1) / HOUR_MS, n = g->o->calls;
	double *cum = malloc(sizeof *cum * (size_t)nslots);
	int64_t *t = malloc(sizeof *t * (size_t)n);
	g->slot_hour = malloc((size_t)nslots);
	g->slot_wd = malloc((size_t)nslots);
	if (!cum || !t || !g->slot_hour || !g->slot_wd) {
		free(cum);
		free(t);
		return NULL;
	}
	double total = 0;
	for (int64_t s = 0; s < nslots; s++) {
		int64_t at = g->start + s * HOUR_MS, local = at + zone_offset(g, at);
		g->slot_hour[s] = (uint8_t)((local % DAY_MS) / HOUR_MS);
		g->slot_wd[s] = (uint8_t)weekday(local / DAY_MS);
		total += day_weight[g->slot_wd[s]] * hour_weight[g->slot_hour[s]];
		cum[s] = total;
	}
	for (int64_t i = 0; i < n; i++) {
		do {
			double u = unit(&g->rt) * total;
			int64_t lo = 0, hi = nslots - 1;
			while (lo < hi) {
				int64_t mid = (lo + hi) / 2;
				if (cum[mid] > u)
					hi = mid;
				else
					lo = mid + 1;
			}
			t[i] = g->start + lo * HOUR_MS + range(&g->rt, 0, HOUR_MS - 1);
		} while (t[i] >= g->now);
	}
	free(cum);
	qsort(t, (size_t)n, sizeof *t, cmp_i64);
	return t;
}

/* ---- the run ---- */

static enum err check_opts(const struct seed_opts *o, struct err_detail *d)
{
	if (!accounts_slug_valid(o->workspace))
		return err_field_add(d, "workspace", "must be 2-63 of a-z, 0-9 and '-'");
	if (o->calls < 1 || o->calls > SEED_MAX_CALLS)
		return err_field_add(d, "calls", "must be between 1 and %d", SEED_MAX_CALLS);
	if (o->days < 1 || o->days > 3650)
		return err_field_add(d, "days", "must be between 1 and 3650");
	if (o->now < 315532800000LL || o->now > 4102444800000LL)
		return err_field_add(d, "now", "must be between 1980 and 2100");
	return ERR_OK;
}

/* Calls in batches of BATCH (progress is reported per batch). A small load
 * commits each batch. A large one runs as one transaction that drops the
 * calls table's secondary indexes first and builds them once at the end: all
 * or nothing, so an interrupted load leaves the database as it was. */
static enum err write_calls(struct gen *g, const int64_t *times)
{
	struct gcall *k = malloc(sizeof *k);
	if (!k)
		return ERR_NOMEM;
	struct store_seed_indexes idx = {0};
	int64_t hashsize = 0;
	bool bulk = g->o->calls >= BULK_MIN;
	enum err rc = ERR_OK;
	int64_t n = g->o->calls, rid = 0;
	for (int64_t i = 0; i < n && rc == ERR_OK; i++) {
		if ((i == 0 || (!bulk && i % BATCH == 0)) &&
		    ((rc = db_begin_write(g->db)) != ERR_OK || (rc = store_seed_calls_max_rid(g->db, &rid)) != ERR_OK))
			break;
		if (bulk && i == 0 && ((rc = store_seed_indexes_drop(g->db, &idx)) != ERR_OK ||
				       (rc = store_seed_search_stage(g->db)) != ERR_OK))
			break;
		seed_call_make(g, k, times[i], n - 1 - i);
		k->x.rid = ++rid;
		k->x.staged = bulk;
		rc = seed_call_write(g, k);
		if (rc == ERR_OK && (i % BATCH == BATCH - 1 || i == n - 1)) {
			if (!bulk)
				rc = db_commit(g->db);
			if (rc == ERR_OK && g->o->progress)
				g->o->progress(g->o->progress_ctx, i + 1, n, "calls");
		}
	}
	free(k);
	if (rc == ERR_OK && bulk) {
		if (g->o->progress)
			g->o->progress(g->o->progress_ctx, 0, 1, "search index");
		if ((rc = store_seed_fts_hashsize(g->db, FTS_BUFFER, &hashsize)) == ERR_OK &&
		    (rc = store_seed_search_unstage(g->db)) == ERR_OK)
			rc = store_seed_fts_hashsize(g->db, hashsize, &hashsize);
		if (rc == ERR_OK && g->o->progress)
			g->o->progress(g->o->progress_ctx, 1, 1, "search index");
	}
	int nidx = idx.n;
	if (nidx) {
		if (rc == ERR_OK && g->o->progress)
			g->o->progress(g->o->progress_ctx, 0, nidx, "indexes");
		enum err r2 = store_seed_indexes_restore(g->db, &idx);
		if (rc == ERR_OK && (rc = r2) == ERR_OK && g->o->progress)
			g->o->progress(g->o->progress_ctx, nidx, nidx, "indexes");
	}
	if (rc == ERR_OK && !bulk)
		rc = db_begin_write(g->db);
	if (rc == ERR_OK && (rc = store_seed_contacts_seen(g->db, g->ws)) == ERR_OK)
		rc = db_commit(g->db);
	return rc == ERR_OK ? ERR_OK : db_fail(g, rc, "calls");
}

/* The PRNG key: the seed, the workspace, and how many calls are already there. */
static uint64_t run_key(const struct seed_opts *o, int64_t existing)
{
	uint64_t h = 0xcbf29ce484222325ULL, x = o->seed;
	seed_h_str(&h, o->workspace);
	uint64_t k = splitmix(&x) ^ h;
	x = (uint64_t)existing;
	return k ^ splitmix(&x);
}

static enum err run(struct gen *g)
{
	enum err rc = setup_staff(g);
	int64_t existing = 0;
	if (rc == ERR_OK && (rc = store_seed_calls_count(g->db, g->ws, &existing)) != ERR_OK)
		return db_fail(g, rc, "counting calls");
	if (rc != ERR_OK)
		return rc;
	uint64_t key = run_key(g->o, existing);
	seed_rng_init(&g->rs, key, 1);
	seed_rng_init(&g->rt, key, 2);
	seed_rng_init(&g->rc, key, 3);
	g->owner = calloc(SPACE, sizeof *g->owner);
	g->count = calloc(SPACE, sizeof *g->count);
	if (!g->owner || !g->count)
		return ERR_NOMEM;
	if ((rc = setup_numbers(g)) != ERR_OK || (rc = load_existing(g)) != ERR_OK)
		return rc;
	int64_t new_people = g->o->calls / 8 > 20 ? g->o->calls / 8 : 20;
	if ((rc = make_people(g, new_people)) != ERR_OK || (rc = make_spam_pool(g)) != ERR_OK)
		return rc;
	g->recent_n = g->o->calls / 200 > 3 ? g->o->calls / 200 : 3;
	int64_t *times = make_times(g);
	if (!times)
		return ERR_NOMEM;
	rc = write_calls(g, times);
	free(times);
	return rc;
}

enum err seed_calls(struct db *db, const struct seed_opts *o, struct seed_summary *out, struct err_detail *d)
{
	memset(out, 0, sizeof *out);
	out->digest = 0xcbf29ce484222325ULL;
	enum err rc = check_opts(o, d);
	if (rc != ERR_OK)
		return rc;
	int64_t t0 = clock_mono_us();
	struct gen *g = calloc(1, sizeof *g);
	if (!g)
		return ERR_NOMEM;
	*g = (struct gen){.db = db, .o = o, .sum = out, .d = d, .a = arena_new(), .now = o->now,
			  .start = o->now - o->days * DAY_MS};
	struct store_seed_saved saved;
	if (!g->a)
		rc = ERR_NOMEM;
	else if ((rc = store_seed_fast_begin(db, &saved)) == ERR_OK) {
		rc = run(g);
		store_seed_fast_end(db, &saved);
	}
	if (rc == ERR_NOMEM && !d->detail[0])
		err_set(d, rc, "out of memory");
	out->seconds = (double)(clock_mono_us() - t0) / 1e6;
	free(g->owner);
	free(g->count);
	free(g->spam);
	free(g->people);
	free(g->slot_hour);
	free(g->slot_wd);
	arena_free(g->a);
	free(g);
	return rc;
}
