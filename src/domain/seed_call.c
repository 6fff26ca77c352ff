/* The rules of one generated call (see seed.h and seed_int.h): who calls, what
 * happens (answered by a person or the AI, missed, spam), what it is about,
 * the job it books, its tags, notes, recording and transcript, the follow-up
 * a missed call gets, and the queue bookkeeping that calls_queue_refresh
 * would keep. Draws only from g->rc, in a fixed order, so a seed replays. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "domain/calls.h"
#include "domain/seed_int.h"
#include "store/seed.h"

/* What a caller calls about: tag, job title, the caller's words, value range (cents),
 * chance of an emergency (percent), weight among calls, and whether it is usually a quote. */
struct topic {
	const char *tag, *title, *says;
	int value_lo, value_hi, emergency, weight;
	bool quote;
};
static const struct topic topics[] = {
	{"water-heater", "Water heater replacement", "my water heater stopped making hot water", 120000, 380000, 6, 11, false},
	{"no-heat", "Furnace repair - no heat", "the furnace runs but there's no heat in the house", 25000, 150000, 20, 10, false},
	{"no-cool", "AC repair - not cooling", "the AC is blowing warm air", 25000, 180000, 8, 10, false},
	{"leak", "Leak repair", "there's water leaking under the kitchen sink", 15000, 90000, 18, 10, false},
	{"drain-clog", "Drain cleaning", "the shower drain is completely clogged", 12000, 45000, 5, 9, false},
	{"sewer", "Sewer line backup", "sewage is backing up into the basement floor drain", 35000, 600000, 45, 4, false},
	{"gas-smell", "Gas leak check", "I smell gas near the water heater", 15000, 80000, 90, 2, false},
	{"electrical", "Breaker keeps tripping", "a breaker keeps tripping in the kitchen", 15000, 70000, 10, 6, false},
	{"panel-upgrade", "Electrical panel upgrade", "I need a quote for a 200 amp panel upgrade", 180000, 450000, 0, 3, true},
	{"maintenance", "HVAC tune-up", "I'd like to schedule a maintenance visit for the furnace and AC", 9000, 25000, 0, 8, false},
	{"thermostat", "Smart thermostat install", "I bought a smart thermostat and need it installed", 12000, 35000, 0, 4, false},
	{"toilet", "Toilet repair", "my toilet keeps running and won't stop", 9000, 40000, 5, 6, false},
	{"sump-pump", "Sump pump replacement", "the sump pump quit and the basement is taking on water", 60000, 180000, 50, 3, false},
	{"water-softener", "Water softener install", "I want a price on a water softener", 150000, 350000, 0, 3, true},
	{"duct-cleaning", "Duct cleaning", "how much is duct cleaning for a two story house", 30000, 90000, 0, 3, true},
	{"outlet", "Outlet repair", "two outlets in the bedroom stopped working", 9000, 30000, 5, 4, false},
	{"garbage-disposal", "Garbage disposal replacement", "the garbage disposal just hums and won't spin", 18000, 45000, 0, 3, false},
	{"frozen-pipe", "Frozen pipe repair", "a pipe froze and burst in the garage", 30000, 150000, 60, 2, false},
};
#define NTOPICS ((int)(sizeof topics / sizeof topics[0]))

static const char *const note_lines[] = {
	"Gate code %04d.", "Has a dog, please close the side gate.", "Prefers a call 30 minutes before arrival.",
	"Asked about financing options.", "Tenant calling; owner approval needed over $500.",
	"Wants same-day service if possible.", "Park in the driveway, street parking is tight.",
	"Mentioned a competitor's quote.", "Second home, caretaker will let the tech in.",
	"Senior customer, speak slowly and confirm the time by text.", "Asked for the same tech as last time.",
	"Warranty from the 2021 install may cover parts.", "Customer will send photos by text.",
	"Property manager, several units in the building.", "Side entrance only, back door sticks.",
	"Left a detailed voicemail, sounded urgent."};
static const char *const faq_says[] = {
	"do you service my area", "what are your hours on Saturday", "do you offer free estimates",
	"are you licensed and insured", "do you have any openings this week"};
static const char *const billing_says[] = {
	"I have a question about my last invoice", "I was charged twice for the same visit",
	"can I pay the balance over the phone", "I need a copy of the receipt for my warranty"};
static const char *const carriers_mobile[] = {"Verizon Wireless", "AT&T Mobility", "T-Mobile USA", "US Cellular"};
static const char *const carriers_land[] = {"AT&T", "Verizon", "Lumen", "Frontier", "Comcast"};
static const char *const carriers_voip[] = {"Google Voice", "Bandwidth", "Twilio", "Vonage", "Onvoy"};

/* A bounded text builder: output is cut, never overrun. */
struct sb {
	char *p;
	size_t n, len;
};

static void sb_add(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(struct sb *b, const char *fmt, ...)
{
	if (b->len + 1 >= b->n)
		return;
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(b->p + b->len, b->n - b->len, fmt, ap);
	va_end(ap);
	if (w > 0)
		b->len = b->len + (size_t)w < b->n ? b->len + (size_t)w : b->n - 1;
}

/* s as JSON string content. Names of earlier contacts come from the database
 * and may hold anything; a string cut at the end of the buffer stays valid
 * (nothing is cut inside an escape; UTF-8 is copied byte for byte). */
static void sb_json(struct sb *b, const char *s)
{
	for (; *s && b->len + 8 < b->n; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch < 0x20) {
			b->len += (size_t)snprintf(b->p + b->len, b->n - b->len, "\\u%04x", ch);
			continue;
		}
		if (ch == '"' || ch == '\\')
			b->p[b->len++] = '\\';
		b->p[b->len++] = (char)ch;
	}
	b->p[b->len] = 0;
}

/* Drops a UTF-8 sequence cut short at the end of s (after a bounded copy). */
static void utf8_trim(char *s)
{
	size_t n = strlen(s), i = n;
	while (i > 0 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0 || (unsigned char)s[i - 1] < 0xc0)
		return; /* ends in ASCII (or is all continuation bytes: left alone) */
	unsigned char lead = (unsigned char)s[i - 1];
	size_t want = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
	if (n - (i - 1) < want)
		s[i - 1] = 0;
}

static const char *first_word(const char *s, char *out, size_t n)
{
	size_t i = 0;
	for (; s && s[i] && s[i] != ' ' && i + 1 < n; i++)
		out[i] = s[i];
	out[i] = 0;
	utf8_trim(out);
	return out;
}

static bool is(const char *s, const char *word) { return s && !strcmp(s, word); }

static const struct topic *pick_topic(struct rng *r)
{
	int total = 0;
	for (int i = 0; i < NTOPICS; i++)
		total += topics[i].weight;
	int x = (int)range(r, 0, total - 1);
	for (int i = 0; i < NTOPICS; i++)
		if ((x -= topics[i].weight) < 0)
			return &topics[i];
	return &topics[0];
}

static int64_t round500(int64_t cents) { return cents - cents % 500; }

/* Line type and carrier are properties of the number, not of the call. */
static void carrier_of(uint32_t num, bool spam, struct call *c)
{
	uint64_t h = (num + 1) * 0x9e3779b97f4a7c15ULL;
	h = (h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	unsigned p = (unsigned)(h % 100), i = (unsigned)(h >> 8);
	if (spam ? p < 70 : p >= 85) {
		c->line_type = "voip";
		c->carrier = carriers_voip[i % 5];
	} else if (spam || p < 62) {
		c->line_type = "mobile";
		c->carrier = carriers_mobile[i % 4];
	} else {
		c->line_type = "landline";
		c->carrier = carriers_land[i % 5];
	}
}

/* A contact to call or be called by: a few call often (property managers,
 * commercial accounts), most now and then. -1 when there is none. */
static int32_t pick_person(struct gen *g)
{
	for (int i = 0; i < 8 && g->npeople; i++) {
		/* One call in ten comes from the busiest 1% (property managers, commercial accounts). */
		int64_t busy = g->npeople / 100 > 0 ? g->npeople / 100 : 1;
		int64_t k = chance(&g->rc, 0.1) ? range(&g->rc, 0, busy - 1) : range(&g->rc, 0, g->npeople - 1);
		if (g->people[k].nphones)
			return (int32_t)k;
	}
	return -1;
}

/* A caller who is not a contact: now and then one who called recently, else a new number. */
static uint32_t unknown_number(struct gen *g)
{
	struct rng *r = &g->rc;
	if (g->nunknown && chance(r, 0.22))
		return g->unknown_ring[range(r, 0, (g->nunknown < RING ? g->nunknown : RING) - 1)];
	uint32_t n = seed_free_number(g, r);
	g->unknown_ring[g->nunknown++ % RING] = n;
	return n;
}

/* Who is on the line and through which tracking number. */
static void party(struct gen *g, struct gcall *k)
{
	static const int tn_spam[] = {80, 12, 8}, tn_known[] = {70, 20, 10}, tn_new[] = {40, 38, 22};
	static const int lead_known[] = {30, 45, 25}, lead_new[] = {50, 20, 30};
	static const char *const main_leads[] = {"website", "referral", "unknown"};
	struct rng *r = &g->rc;
	struct call *c = &k->c;
	if (chance(r, c->after_hours ? 0.01 : 0.085)) {
		c->direction = "out";
		if (g->nmissed && chance(r, 0.45)) {
			int64_t i = range(r, 0, (g->nmissed < RING ? g->nmissed : RING) - 1);
			k->num = g->missed_ring[i].num;
			k->person = g->missed_ring[i].person;
		} else if ((k->person = pick_person(g)) >= 0) {
			k->num = g->people[k->person].phones[0];
		} else {
			k->num = unknown_number(g);
		}
		k->tn = 0;
		c->lead_source = "unknown";
	} else {
		c->direction = "in";
		double x = unit(r);
		if (x < 0.087) {
			/* Three robocalls in ten come from the busiest 5% of spam numbers. */
			int64_t busy = g->nspam / 20 > 0 ? g->nspam / 20 : 1;
			c->spam = true;
			k->num = g->spam[chance(r, 0.3) ? range(r, 0, busy - 1) : range(r, 0, g->nspam - 1)];
			k->tn = PICK(r, tn_spam);
		} else if (x < 0.6896 && (k->person = pick_person(g)) >= 0) {
			const struct person *p = &g->people[k->person];
			bool other = p->nphones > 1 && chance(r, 0.25);
			k->num = other ? p->phones[range(r, 1, p->nphones - 1)] : p->phones[0];
			k->tn = PICK(r, tn_known);
		} else {
			k->num = unknown_number(g);
			k->tn = PICK(r, tn_new);
		}
		if (k->tn == 1)
			c->lead_source = "google_maps";
		else if (k->tn == 2)
			c->lead_source = "ad";
		else if (c->spam)
			c->lead_source = "unknown";
		else
			c->lead_source = main_leads[k->person >= 0 ? PICK(r, lead_known) : PICK(r, lead_new)];
	}
	char customer[20];
	seed_num_e164(k->num, customer);
	bool in = is(c->direction, "in");
	snprintf(k->from, sizeof k->from, "%s", in ? customer : g->num[0].e164);
	snprintf(k->to, sizeof k->to, "%s", in ? g->num[k->tn].e164 : customer);
	if (in)
		seed_num_raw(k->num, k->raw);
	else
		snprintf(k->raw, sizeof k->raw, "(%.3s) %.3s-%.4s", k->from + 2, k->from + 5, k->from + 8);
	c->from_e164 = k->from;
	c->to_e164 = k->to;
	k->x.from_raw = k->raw;
	c->number_id = g->num[k->tn].id;
	c->contact_id = k->person >= 0 ? g->people[k->person].id : NULL;
	c->prior_calls = g->count[k->num];
	c->first_time_caller = in && c->prior_calls == 0;
	if (in && g->count[k->num] < UINT32_MAX)
		g->count[k->num]++;
	carrier_of(k->num, c->spam, c);
}

static void no_answer(struct rng *r, struct call *c)
{
	c->status = "no_answer";
	c->agent_type = "human";
	c->ended_at = c->started_at + range(r, 18, 35) * 1000;
	c->duration_sec = 0;
}

static void voicemail(struct rng *r, struct call *c)
{
	int64_t ring = range(r, 18, 35), msg = range(r, 8, 75);
	c->status = "voicemail";
	c->agent_type = "human";
	c->ended_at = c->started_at + (ring + msg) * 1000;
	c->duration_sec = msg;
}

/* Answered by the AI receptionist or by a dispatcher; talk time is long-tailed. */
static void answer(struct gen *g, struct gcall *k, bool ai)
{
	struct rng *r = &g->rc;
	struct call *c = &k->c;
	c->status = "completed";
	c->agent_type = ai ? "ai" : "human";
	c->answered_at = c->started_at + range(r, 3000, 25000);
	int64_t talk = 25 + (int64_t)(-log(1.0 - unit(r)) * (ai ? 95.0 : 170.0));
	c->duration_sec = talk > 1800 ? 1800 : talk;
	c->ended_at = c->answered_at + c->duration_sec * 1000;
	if (!ai)
		k->agent = k->assignee = 3 + (int)range(r, 0, 1);
}

/* What the caller wants: a topic in their words, and the intent it reads as. */
static void intent_for(struct gcall *k, struct rng *r)
{
	static const int plain_w[] = {50, 28, 12, 10}, quote_w[] = {30, 60, 5, 5};
	static const char *const intents[] = {"routine", "quote", "faq", "billing"};
	k->topic = pick_topic(r);
	k->says = k->topic->says;
	if (chance(r, k->topic->emergency / 100.0)) {
		k->c.intent = "emergency";
		return;
	}
	int i = k->topic->quote ? PICK(r, quote_w) : PICK(r, plain_w);
	k->c.intent = intents[i];
	if (i >= 2) {
		k->says = i == 2 ? ONE_OF(r, faq_says) : ONE_OF(r, billing_says);
		k->topic = NULL;
	}
}

static void outcome_spam(struct gen *g, struct gcall *k)
{
	static const int reason_w[] = {50, 35, 15};
	static const char *const reasons[] = {"robocall", "telemarketer", "repeat_silent"};
	struct rng *r = &g->rc;
	struct call *c = &k->c;
	if (chance(r, 0.6)) {
		c->status = "completed";
		c->agent_type = "ai";
		c->answered_at = c->started_at + range(r, 2000, 6000);
		c->duration_sec = range(r, 4, 40);
		c->ended_at = c->answered_at + c->duration_sec * 1000;
	} else {
		no_answer(r, c);
		k->missed = true;
	}
	c->spam_reason = reasons[PICK(r, reason_w)];
	c->spam_score = range(r, 70, 99);
	c->intent = chance(r, 0.8) ? "spam" : NULL;
	c->disposition = !c->intent || chance(r, 0.65) ? "spam" : NULL;
}

/* The second to fourth newest inbound calls of a run always wait for an outcome,
 * so even a small run has a triage queue (the newest follows the odds). */
static bool forced_recent(const struct gcall *k) { return k->newest >= 1 && k->newest <= 3; }

static void outcome_in(struct gen *g, struct gcall *k)
{
	static const char *const booked_intents[] = {"emergency", "routine", "quote"};
	static const double booked_p[] = {0.6, 0.38, 0.25};
	struct rng *r = &g->rc;
	struct call *c = &k->c;
	int64_t age = g->now - c->started_at;
	double p_miss = c->after_hours ? 0.40 : (k->hour == 12 || k->hour == 13) ? 0.36 : 0.29;
	c->source = chance(r, 0.95) ? "phone" : "transfer";
	if (chance(r, p_miss)) {
		k->missed = true;
		if (chance(r, 0.45)) {
			voicemail(r, c);
			intent_for(k, r);
			if (chance(r, 0.3))
				c->intent = NULL; /* the message did not say */
		} else {
			no_answer(r, c);
		}
		if ((age < 48 * HOUR_MS || k->newest < g->recent_n) && (chance(r, 0.75) || forced_recent(k)))
			c->disposition = NULL; /* still waiting for a human */
		else
			c->disposition = chance(r, 0.72) ? "missed" : "callback";
		return;
	}
	answer(g, k, chance(r, c->after_hours ? 0.9 : 0.22));
	intent_for(k, r);
	if ((age < 36 * HOUR_MS || k->newest < g->recent_n) && (chance(r, 0.3) || forced_recent(k))) {
		c->disposition = NULL;
		return;
	}
	double pb = 0;
	for (int i = 0; i < 3; i++)
		if (is(c->intent, booked_intents[i]))
			pb = booked_p[i];
	if (k->topic && chance(r, pb))
		c->disposition = "booked";
	else
		c->disposition = chance(r, 0.12) ? "callback" : "answered";
}

/* Outbound: a dispatcher returning a missed call or calling a customer back. */
static void outcome_out(struct gen *g, struct gcall *k)
{
	static const int status_w[] = {72, 25, 3};
	struct rng *r = &g->rc;
	struct call *c = &k->c;
	int s = PICK(r, status_w);
	if (s == 0) {
		answer(g, k, false);
	} else {
		no_answer(r, c);
		if (s == 2) {
			c->status = "busy";
			c->ended_at = c->started_at + 2000;
		}
		k->agent = k->assignee = 3 + (int)range(r, 0, 1);
	}
	k->topic = pick_topic(r);
	k->says = k->topic->says;
	c->intent = chance(r, 0.6) ? "routine" : "quote";
	if (s == 0)
		c->disposition = chance(r, 0.35) ? "booked" : "answered";
	else
		c->disposition = "callback";
	c->source = chance(r, 0.7) ? "manual" : "web_callback";
}

static void scores(struct gen *g, struct gcall *k)
{
	static const int after_w[] = {60, 25, 15}, day_w[] = {50, 50};
	static const char *const after_esc[] = {"acked", "sent", "queued"}, *const day_esc[] = {"sent", "acked"};
	struct rng *r = &g->rc;
	struct call *c = &k->c;
	if (k->topic && (is(c->disposition, "booked") || (is(c->intent, "quote") && chance(r, 0.4))))
		c->value_est_cents = round500(range(r, k->topic->value_lo, k->topic->value_hi));
	if (!c->intent)
		c->emergency_score = I64_NULL;
	else if (is(c->intent, "emergency"))
		c->emergency_score = range(r, 75, 99);
	else if (is(c->intent, "routine"))
		c->emergency_score = range(r, 5, 40);
	else
		c->emergency_score = is(c->intent, "spam") ? 0 : range(r, 0, 15);
	if (is(c->direction, "in") && !c->spam)
		c->spam_score = range(r, 0, 30);
	if (is(c->intent, "emergency")) {
		if (!c->disposition)
			c->escalation_status = "queued";
		else if (c->after_hours)
			c->escalation_status = after_esc[PICK(r, after_w)];
		else if (k->missed)
			c->escalation_status = day_esc[PICK(r, day_w)];
	}
	if (c->disposition)
		c->outcome_at = before_now(g, c->ended_at + range(r, 1, 90) * MIN_MS);
	c->outcome_required = !c->disposition && !c->spam;
}

/* A booked call books a job with one or two techs; a known customer calling
 * again about a recent job is linked to it. */
static void job(struct gen *g, struct gcall *k)
{
	static const int slot_hours[] = {8, 10, 13, 15};
	struct rng *r = &g->rc;
	struct call *c = &k->c;
	struct person *p = k->person >= 0 ? &g->people[k->person] : NULL;
	if (!is(c->disposition, "booked") || !k->topic) {
		if (p && p->job_id[0] && is(c->direction, "in") && !k->missed && is(c->intent, "routine") &&
		    c->started_at - p->job_at < 21 * DAY_MS && chance(r, 0.35)) {
			memcpy(k->job_id, p->job_id, ID_SIZE);
			c->job_id = k->job_id;
			k->job_linked = true;
		}
		return;
	}
	struct job *j = &k->job;
	int64_t created = before_now(g, c->ended_at + range(r, 1, 15) * MIN_MS), slot;
	seed_id(r, created, k->job_id);
	if (is(c->intent, "emergency")) {
		slot = c->ended_at + range(r, 4, 12) * 15 * MIN_MS;
		slot -= slot % (15 * MIN_MS);
	} else {
		int64_t days = range(r, 1, 6), hour = slot_hours[range(r, 0, 3)];
		int64_t noon = seed_local_midnight(g, c->ended_at) + days * DAY_MS + 12 * HOUR_MS;
		slot = seed_local_midnight(g, noon) + hour * HOUR_MS;
	}
	int64_t len = (c->value_est_cents > 150000 ? 4 : 2) * HOUR_MS;
	const char *status;
	if (slot + len <= g->now)
		status = chance(r, 0.9) ? "done" : "cancelled";
	else if (slot <= g->now)
		status = "on_site";
	else if (slot - g->now < 2 * HOUR_MS)
		status = "en_route";
	else
		status = chance(r, 0.85) ? "scheduled" : "new";
	k->techs[0] = (int)range(r, 0, NTECH - 1);
	k->ntechs = 1;
	if (chance(r, 0.2))
		k->techs[k->ntechs++] = (k->techs[0] + (int)range(r, 1, NTECH - 1)) % NTECH;
	bool done = is(status, "done"), closed = done || is(status, "cancelled");
	*j = (struct job){.id = k->job_id, .workspace_id = g->ws, .title = k->topic->title, .status = status,
			  .address = p ? p->address : NULL, .contact_id = c->contact_id, .source_call_id = k->id,
			  .assigned_to = g->staff_id[k->techs[0]], .slot_start = slot, .slot_end = slot + len,
			  .estimate_cents = c->value_est_cents, .final_cents = I64_NULL, .created_at = created,
			  .updated_at = created};
	if (done)
		j->final_cents = round500(c->value_est_cents * range(r, 90, 125) / 100);
	if (closed)
		j->updated_at = before_now(g, slot + len + range(r, 0, 120) * MIN_MS);
	c->job_id = k->job_id;
	k->new_job = true;
	if (p) {
		memcpy(p->job_id, k->job_id, ID_SIZE);
		p->job_at = created;
	}
}

static void tag(struct gcall *k, const char *t)
{
	for (int i = 0; i < k->c.ntags; i++)
		if (!strcmp(k->tags[i], t))
			return;
	if (k->c.ntags < (int)(sizeof k->tags / sizeof k->tags[0]))
		k->tags[k->c.ntags++] = t;
}

static void tags_and_notes(struct gen *g, struct gcall *k)
{
	struct rng *r = &g->rc;
	struct call *c = &k->c;
	c->tags = k->tags;
	if (k->topic && c->intent && chance(r, 0.8))
		tag(k, k->topic->tag);
	if (is(c->intent, "quote") && chance(r, 0.7))
		tag(k, "estimate");
	if (k->topic && chance(r, 0.04))
		tag(k, "warranty");
	if (k->person >= 0 && g->people[k->person].vip)
		tag(k, "vip");
	if (is(c->intent, "emergency") && chance(r, 0.5))
		tag(k, "emergency");
	if (c->first_time_caller && is(c->disposition, "booked") && chance(r, 0.6))
		tag(k, "new-customer");
	if (k->job_linked)
		tag(k, "follow-up");
	if (is(c->spam_reason, "robocall") && chance(r, 0.4))
		tag(k, "robocall");
	if (is(c->status, "voicemail") && chance(r, 0.3))
		tag(k, "callback-requested");
	if (is(c->intent, "quote") && !is(c->disposition, "booked") && chance(r, 0.15))
		tag(k, "price-shopper");
	if (is(c->intent, "billing") && chance(r, 0.6))
		tag(k, "billing");
	if (c->after_hours && !c->spam && chance(r, 0.25))
		tag(k, "after-hours");
	if (!c->spam && chance(r, 0.15)) {
		int64_t i = range(r, -1, (int64_t)(sizeof note_lines / sizeof note_lines[0]) - 1);
		if (i < 0)
			snprintf(k->notes, sizeof k->notes, "Gate code %04d.", (int)range(r, 1000, 9999));
		else
			snprintf(k->notes, sizeof k->notes, "%s", note_lines[i]);
	}
	if (k->job_linked)
		snprintf(k->notes + strlen(k->notes), sizeof k->notes - strlen(k->notes), "%sAsked when the tech will arrive.",
			 k->notes[0] ? " " : "");
	c->notes = k->notes[0] ? k->notes : NULL;
}

/* Recording (with consent) for answered calls and voicemails; SMS consent from known customers. */
static void recording(struct gen *g, struct gcall *k)
{
	static const int sms_w[] = {70, 8, 22};
	struct rng *r = &g->rc;
	struct call *c = &k->c;
	bool answered = c->answered_at != I64_NULL;
	bool rec = is(c->status, "voicemail") || (answered && !c->spam && (is(c->agent_type, "ai") || chance(r, 0.65)));
	if (rec) {
		seed_sid(r, "RE", c->ended_at, k->rec_sid);
		snprintf(k->rec_url, sizeof k->rec_url, "https://recordings.switchboard.invalid/%s.mp3", k->rec_sid);
		c->recording_url = k->rec_url;
		k->x.recording_sid = k->rec_sid;
		k->x.recording_duration_sec = c->duration_sec;
		c->consent_recording = 1;
	}
	if (k->person >= 0)
		c->consent_sms = 1 - PICK(r, sms_w); /* 1, 0, or -1 (unknown) */
	if (c->consent_recording >= 0 || c->consent_sms >= 0)
		c->consent_updated_at = c->started_at;
	if (rec)
		k->has_tr = chance(r, is(c->status, "voicemail") ? 0.7 : is(c->direction, "in") ? 0.36 : 0.1);
}

/* ---- transcript: a few turns, as structured JSON and as plain text ---- */

struct turn {
	bool caller;
	char text[300];
};

static void say(struct turn *t, int *n, bool caller, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void say(struct turn *t, int *n, bool caller, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t[*n].text, sizeof t[*n].text, fmt, ap);
	va_end(ap);
	utf8_trim(t[*n].text);
	t[(*n)++].caller = caller;
}

static const char *clock12(int h, char out[8])
{
	snprintf(out, 8, "%d %s", h % 12 ? h % 12 : 12, h < 12 ? "am" : "pm");
	return out;
}

/* "I can have Marcus out tomorrow between 8 am and 10 am." */
static void booking_line(struct gen *g, struct gcall *k, struct turn *t, int *n)
{
	static const char *const days[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
	char tech[32], when[24], a[8], b[8];
	int hour, wd;
	first_word(g->staff_name[k->techs[0]], tech, sizeof tech);
	seed_local_time(g, k->job.slot_start, &hour, &wd);
	int64_t dd = (seed_local_midnight(g, k->job.slot_start) - seed_local_midnight(g, k->c.ended_at) + DAY_MS / 2) / DAY_MS;
	if (dd <= 0)
		snprintf(when, sizeof when, "today");
	else if (dd == 1)
		snprintf(when, sizeof when, "tomorrow");
	else
		snprintf(when, sizeof when, "on %s", days[wd]);
	say(t, n, false, "I can have %s out %s between %s and %s. Does that work?", tech, when, clock12(hour, a),
	    clock12((hour + (int)((k->job.slot_end - k->job.slot_start) / HOUR_MS)) % 24, b));
}

static int conversation(struct gen *g, struct gcall *k, struct turn *t)
{
	static const char *const ask[] = {"I'm sorry, that sounds urgent. Is everyone safe, and can you shut it off for now?",
					  "We can take care of that. What's the service address?",
					  "Happy to put together an estimate. What's the address?",
					  "Good question. Yes, we do, and I can check openings for you.",
					  "Let me pull up your account."};
	static const char *const intents[] = {"emergency", "routine", "quote", "faq", "billing"};
	struct call *c = &k->c;
	const struct person *p = k->person >= 0 ? &g->people[k->person] : NULL;
	char first[32] = "", agent[32] = "Ava, the virtual assistant";
	int n = 0, ii = 1;
	if (p)
		first_word(p->name, first, sizeof first);
	if (k->agent >= 0)
		first_word(g->staff_name[k->agent], agent, sizeof agent);
	if (is(c->status, "voicemail")) {
		if (p)
			say(t, &n, true, "Hi, this is %s, %s. Please call me back at %s. Thanks.", first, k->says, k->raw);
		else
			say(t, &n, true, "Hi, %s. Please call me back at %s. Thanks.", k->says, k->raw);
		return n;
	}
	for (int i = 0; i < 5; i++)
		if (is(c->intent, intents[i]))
			ii = i;
	if (is(c->direction, "out")) {
		say(t, &n, false, "Hi, this is %s from %s, returning your call.", agent, g->company);
		say(t, &n, true, "Thanks for calling back, %s.", k->says);
	} else {
		say(t, &n, false, "Thanks for calling %s, this is %s. How can I help you today?", g->company, agent);
		if (p)
			say(t, &n, true, "Hi, this is %s, %s.", first, k->says);
		else
			say(t, &n, true, "Hi, %s.", k->says);
		say(t, &n, false, "%s", ask[ii]);
		if (ii == 0)
			say(t, &n, true, "Yes, everyone's okay. How soon can someone get here?");
		else if (p && p->address && ii < 3)
			say(t, &n, true, "It's %s.", p->address);
		else
			say(t, &n, true, "%s", ii == 4 ? "Sure, it should be under my name." : "Okay, thanks.");
	}
	if (k->new_job)
		booking_line(g, k, t, &n);
	else if (ii == 0)
		say(t, &n, false, "I'm paging our on-call technician now. They'll call you back within 15 minutes.");
	else
		say(t, &n, false, "%s", is(c->disposition, "callback") ? "I'll have someone call you back shortly with options."
									   : "You're all set. Anything else I can help with?");
	say(t, &n, true, "%s", k->new_job ? "That works, thank you." : "No, that's it. Thank you.");
	return n;
}

static void transcript(struct gen *g, struct gcall *k)
{
	struct turn t[8];
	struct rng *r = &g->rc;
	bool ai = is(k->c.agent_type, "ai");
	int n = conversation(g, k, t), conf = (int)range(r, 78, 97), at = 0;
	struct sb body = {k->body, sizeof k->body, 0}, text = {k->text, sizeof k->text, 0};
	sb_add(&body, "{\"language\":\"en-US\",\"confidence\":0.%02d,\"segments\":[", conf);
	for (int i = 0; i < n; i++) {
		const char *speaker = t[i].caller ? "caller" : ai ? "ai" : "agent";
		int len = (int)strlen(t[i].text) / 14 + 1;
		sb_add(&body, "%s{\"speaker\":\"%s\",\"startSec\":%d,\"endSec\":%d,\"text\":\"", i ? "," : "", speaker, at,
		       at + len);
		sb_json(&body, t[i].text);
		sb_add(&body, "\"}");
		sb_add(&text, "%s%s: %s", i ? "\n" : "", t[i].caller ? "Caller" : ai ? "AI" : "Agent", t[i].text);
		at += len + 1;
	}
	sb_add(&body, "]}");
	k->tr = (struct transcript){.body = k->body, .text = k->text, .confidence = conf,
				    .created_at = before_now(g, k->c.ended_at + range(r, 30, 120) * 1000)};
	k->c.has_transcript = true;
}

/* ---- follow-up on a missed call or a promised callback ---- */

static void followup(struct gen *g, struct gcall *k)
{
	static const int type_w[] = {70, 20, 5, 5}, old_w[] = {90, 7, 3}, prio_w[] = {80, 20};
	static const char *const types[] = {"callback", "sms", "email", "task"}, *const old[] = {"done", "cancelled", "open"};
	struct rng *r = &g->rc;
	struct call *c = &k->c;
	bool want = k->missed ? is(c->direction, "in") && !c->spam && chance(r, 0.45)
			      : is(c->disposition, "callback") && chance(r, 0.5);
	if (!want)
		return;
	int type = PICK(r, type_w);
	int64_t created = before_now(g, c->ended_at + range(r, 1, 10) * MIN_MS);
	int64_t due = created + (is(c->intent, "emergency") ? 15 * MIN_MS : range(r, 6, 72) * 5 * MIN_MS);
	const char *status;
	if (due > g->now)
		status = "open";
	else if (g->now - c->started_at < 3 * DAY_MS)
		status = chance(r, 0.3) ? "open" : "done";
	else
		status = old[PICK(r, old_w)];
	int64_t completed = I64_NULL, updated = created;
	if (is(status, "done")) {
		completed = due - 20 * MIN_MS + range(r, 0, 180) * MIN_MS;
		completed = before_now(g, completed < created + MIN_MS ? created + MIN_MS : completed);
		updated = completed;
	} else if (is(status, "cancelled")) {
		updated = before_now(g, created + range(r, 1, 48) * HOUR_MS);
	}
	k->fu_assignee = 3 + (int)range(r, 0, 1);
	const char *prio = is(c->intent, "emergency") ? "urgent"
			   : k->person >= 0 && g->people[k->person].vip ? "high"
			   : PICK(r, prio_w) ? "low" : "normal";
	const char *title = k->topic ? k->topic->title : NULL;
	if (type == 0)
		snprintf(k->fu_note, sizeof k->fu_note, "Call back%s%s", title ? " about: " : " the missed call", title ? title : "");
	else if (type == 1)
		snprintf(k->fu_note, sizeof k->fu_note, "Missed-call text sent, waiting for a reply");
	else
		snprintf(k->fu_note, sizeof k->fu_note, "%s%s", type == 2 ? "Email pricing" : "Check parts and availability",
			 title ? " for the job" : "");
	seed_id(r, created, k->fu_id);
	k->fu = (struct followup){.id = k->fu_id, .workspace_id = g->ws, .call_id = k->id, .contact_id = c->contact_id,
				  .type = types[type], .status = status, .priority = prio, .note = k->fu_note,
				  .assigned_to = g->staff_id[k->fu_assignee], .due_at = due, .completed_at = completed,
				  .created_at = created, .updated_at = updated};
	k->has_fu = true;
	c->followups = &k->fu;
	c->nfollowups = 1;
}

/* ---- the call as a whole ---- */

static void finish(struct gen *g, struct gcall *k)
{
	struct rng *r = &g->rc;
	struct call *c = &k->c;
	bool vip = k->person >= 0 && g->people[k->person].vip;
	if (c->spam)
		c->priority = "low";
	else if (is(c->intent, "emergency"))
		c->priority = chance(r, 0.75) ? "urgent" : "high";
	else if (vip || c->value_est_cents >= 200000)
		c->priority = "high";
	else if (is(c->intent, "faq") || is(c->intent, "billing"))
		c->priority = "low";
	else
		c->priority = "normal";
	int open = k->has_fu && is(k->fu.status, "open");
	calls_queue_refresh(c, open);
	if (k->assignee < 0 && open)
		k->assignee = k->fu_assignee;
	else if (k->assignee < 0 && c->outcome_required && chance(r, 0.6))
		k->assignee = 3 + (int)range(r, 0, 1);
	c->agent_user_id = k->agent >= 0 ? g->staff_id[k->agent] : NULL;
	c->assigned_to = k->assignee >= 0 ? g->staff_id[k->assignee] : NULL;
	c->updated_at = c->outcome_at != I64_NULL && c->outcome_at > c->ended_at ? c->outcome_at : c->ended_at;
	if (k->missed && is(c->direction, "in") && !c->spam) {
		g->missed_ring[g->nmissed % RING].num = k->num;
		g->missed_ring[g->nmissed % RING].person = k->person;
		g->nmissed++;
	}
}

void seed_call_make(struct gen *g, struct gcall *k, int64_t t, int64_t newest)
{
	struct rng *r = &g->rc;
	struct call *c = &k->c;
	memset(k, 0, offsetof(struct gcall, body));
	k->newest = newest;
	k->body[0] = k->text[0] = 0;
	call_blank(c);
	k->person = k->agent = k->assignee = -1;
	seed_id(r, t, k->id);
	seed_sid(r, "CA", t, k->sid);
	c->id = k->id;
	c->workspace_id = g->ws;
	c->started_at = c->created_at = t;
	c->call_sid = k->sid;
	c->queue_status = "none";
	c->escalation_status = "none";
	c->source = "phone";
	seed_local_time(g, t, &k->hour, &k->wd);
	c->after_hours = !(k->wd >= 1 && k->wd <= 6 && k->hour >= 7 && k->hour < 19);
	party(g, k);
	if (is(c->direction, "out"))
		outcome_out(g, k);
	else if (c->spam)
		outcome_spam(g, k);
	else
		outcome_in(g, k);
	if (c->ended_at >= g->now) { /* the last calls of the window: cut at now */
		c->ended_at = g->now - 1000;
		c->duration_sec = (c->ended_at - (c->answered_at != I64_NULL ? c->answered_at : t)) / 1000;
		if (c->duration_sec < 0)
			c->duration_sec = 0;
	}
	scores(g, k);
	job(g, k);
	tags_and_notes(g, k);
	recording(g, k);
	if (k->has_tr)
		transcript(g, k);
	followup(g, k);
	finish(g, k);
}

static void digest(struct gen *g, const struct gcall *k)
{
	uint64_t *h = &g->sum->digest;
	const struct call *c = &k->c;
	const char *strs[] = {c->id, c->direction, c->from_e164, c->to_e164, k->raw, c->status, c->call_sid, g->num[k->tn].e164,
			      c->contact_id, c->job_id, c->agent_type, k->agent >= 0 ? g->staff_email[k->agent] : NULL,
			      k->assignee >= 0 ? g->staff_email[k->assignee] : NULL, c->intent, c->disposition,
			      c->queue_status, c->priority, c->spam_reason, c->recording_url, c->escalation_status, c->source,
			      c->lead_source, c->notes, c->carrier, c->line_type, k->has_tr ? k->body : NULL,
			      k->has_tr ? k->text : NULL};
	const int64_t ints[] = {c->started_at, c->answered_at, c->ended_at, c->duration_sec, c->outcome_at,
				c->outcome_required, c->value_est_cents, c->emergency_score, c->spam_score, c->spam,
				c->has_transcript, c->after_hours, c->first_time_caller, c->prior_calls,
				c->consent_recording, c->consent_sms, c->consent_updated_at, c->updated_at};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		seed_h_str(h, strs[i]);
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
		seed_h_int(h, ints[i]);
	for (int i = 0; i < c->ntags; i++)
		seed_h_str(h, c->tags[i]);
	if (k->new_job) {
		const struct job *j = &k->job;
		seed_h_str(h, j->title), seed_h_str(h, j->status), seed_h_str(h, j->address);
		seed_h_int(h, j->slot_start), seed_h_int(h, j->slot_end), seed_h_int(h, j->final_cents);
		seed_h_int(h, j->created_at), seed_h_int(h, j->updated_at);
		for (int i = 0; i < k->ntechs; i++)
			seed_h_str(h, g->staff_email[k->techs[i]]);
	}
	if (k->has_fu) {
		const struct followup *f = &k->fu;
		seed_h_str(h, f->id), seed_h_str(h, f->type), seed_h_str(h, f->status), seed_h_str(h, f->priority);
		seed_h_str(h, f->note), seed_h_str(h, g->staff_email[k->fu_assignee]);
		seed_h_int(h, f->due_at), seed_h_int(h, f->completed_at), seed_h_int(h, f->updated_at);
	}
}

static void count(struct seed_summary *s, const struct gcall *k)
{
	const struct call *c = &k->c;
	s->calls++;
	s->jobs += k->new_job;
	s->assignments += k->new_job ? k->ntechs : 0;
	s->tags += c->ntags;
	s->transcripts += k->has_tr;
	s->followups += k->has_fu;
	s->missed += is(c->direction, "in") && (is(c->status, "no_answer") || is(c->status, "voicemail"));
	s->spam += c->spam;
	s->ai += is(c->agent_type, "ai");
	s->booked += is(c->disposition, "booked");
	s->first_time += c->first_time_caller;
	s->after_hours += c->after_hours;
	s->triage += is(c->queue_status, "triage");
	s->known += c->contact_id != NULL;
}

enum err seed_call_write(struct gen *g, struct gcall *k)
{
	enum err rc = ERR_OK;
	if (k->new_job) {
		const char *techs[2] = {g->staff_id[k->techs[0]], g->staff_id[k->techs[1]]};
		rc = store_seed_job_insert(g->db, &k->job, techs, k->ntechs);
	}
	const struct person *p = k->person >= 0 ? &g->people[k->person] : NULL;
	k->x.contact_name = p ? p->name : NULL;
	k->x.contact_email = p ? p->email : NULL;
	k->x.transcript_text = k->has_tr ? k->text : NULL;
	if (rc == ERR_OK)
		rc = store_seed_call_insert(g->db, &k->c, &k->x);
	if (rc == ERR_OK && k->has_tr)
		rc = store_seed_transcript_insert(g->db, g->ws, k->id, &k->tr);
	if (rc == ERR_OK && k->has_fu)
		rc = store_seed_followup_insert(g->db, &k->fu, is(k->fu.status, "open") && k->fu.due_at <= g->now ? k->fu.due_at : I64_NULL);
	if (rc == ERR_OK) {
		digest(g, k);
		count(g->sum, k);
	}
	return rc;
}
