/* Build: gcc -O2 -std=c17 -D_GNU_SOURCE -Isrc -o /tmp/jw_bench bench/jw_bench.c src/core/jw.c
 * Run:   /tmp/jw_bench [pages]   (default 100000 pages of 50 calls, ~20 fields each)
 * Micro-benchmark of the streaming JSON writer on a typical list page of calls:
 * the writer is reset and reused between pages, as a request handler would. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/jw.h"

#define ROWS_PER_PAGE 50

struct call {
	int64_t id;
	const char *uuid, *from, *to, *direction, *status, *agent, *queue, *notes;
	const char *recording;
	int64_t started_ms, answered_ms, ended_ms, duration_ms, ring_ms;
	double cost;
	bool voicemail, recorded;
	int tags;
};

static const char *const agents[] = {"Alice Martin", "Bj\xC3\xB6rn \xC3\x85str\xC3\xB6m",
				     "Chlo\xC3\xA9 Dubois", "Dmitri \xD0\x9F\xD0\xB5\xD1\x82\xD1\x80"};
static const char *const statuses[] = {"completed", "missed", "voicemail", "in-progress"};
static const char *const tag_names[] = {"billing", "urgent", "follow-up", "vip", "spam"};

static void call_fill(struct call *c, int i)
{
	c->id = 1000000 + i;
	c->uuid = "c0a8012e-5f3b-4c1d-9e7a-2b6f8d4e1a93";
	c->from = "+14155550123";
	c->to = "+442071838750";
	c->direction = i % 3 ? "inbound" : "outbound";
	c->status = statuses[i % 4];
	c->agent = agents[i % 4];
	c->queue = "Support \xE2\x80\x93 Tier 2";
	c->notes = i % 5 ? "Customer asked about invoice #4411; promised a \"callback\"\nbefore Friday."
			 : NULL;
	c->recording = "https://storage.example.com/rec/2026/11/27/c0a8012e.ogg";
	c->started_ms = INT64_C(1795799613123) + i * 61000;
	c->answered_ms = c->started_ms + 4200;
	c->ended_ms = i % 7 ? c->answered_ms + 183000 + i : -1;
	c->duration_ms = 183000 + i;
	c->ring_ms = 4200;
	c->cost = (double)(125 * (i + 1)) / 10000.0; /* as read back from "0.0375" */
	c->voicemail = i % 4 == 2;
	c->recorded = i % 2;
	c->tags = i % 4;
}

static void call_write(struct jw *w, const struct call *c)
{
	jw_obj_begin(w);
	jw_kint(w, "id", c->id);
	jw_kstr(w, "uuid", c->uuid);
	jw_kstr(w, "from", c->from);
	jw_kstr(w, "to", c->to);
	jw_kstr(w, "direction", c->direction);
	jw_kstr(w, "status", c->status);
	jw_kstr(w, "agent", c->agent);
	jw_kstr(w, "queue", c->queue);
	jw_ktime_ms(w, "started_at", c->started_ms);
	jw_ktime_ms(w, "answered_at", c->answered_ms);
	jw_ktime_ms(w, "ended_at", c->ended_ms);
	jw_kint(w, "duration_ms", c->duration_ms);
	jw_kint(w, "ring_ms", c->ring_ms);
	jw_key(w, "cost");
	jw_double(w, c->cost);
	jw_kbool(w, "voicemail", c->voicemail);
	jw_kbool(w, "recorded", c->recorded);
	jw_kstr(w, "recording_url", c->recorded ? c->recording : NULL);
	jw_kstr(w, "notes", c->notes);
	jw_key(w, "tags");
	jw_arr_begin(w);
	for (int t = 0; t < c->tags; t++)
		jw_str(w, tag_names[t]);
	jw_arr_end(w);
	jw_knull(w, "transferred_to");
	jw_obj_end(w);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct call calls[ROWS_PER_PAGE];
	struct jw w;
	long pages = 100000;
	uint64_t bytes = 0, check = 0;
	double t0, dt;

	if (argc > 1) {
		char *end;
		pages = strtol(argv[1], &end, 10);
		if (*end != '\0' || pages <= 0) {
			fprintf(stderr, "usage: %s [pages]\n", argv[0]);
			return 2;
		}
	}
	for (int i = 0; i < ROWS_PER_PAGE; i++)
		call_fill(&calls[i], i);
	jw_init(&w, 4096, 1 << 20);
	t0 = now_s();
	for (long p = 0; p < pages; p++) {
		jw_reset(&w);
		jw_obj_begin(&w);
		jw_key(&w, "items");
		jw_arr_begin(&w);
		for (int i = 0; i < ROWS_PER_PAGE; i++)
			call_write(&w, &calls[i]);
		jw_arr_end(&w);
		jw_kstr(&w, "next_cursor", "eyJpZCI6MTAwMDA1MH0");
		jw_kint(&w, "total", 18231);
		jw_obj_end(&w);
		if (jw_error(&w) != ERR_OK) {
			fprintf(stderr, "writer error %d\n", (int)jw_error(&w));
			return 1;
		}
		bytes += w.len;
		check += (unsigned char)w.buf[p % w.len];
	}
	dt = now_s() - t0;
	printf("%ld pages x %d rows, %zu bytes/page, %.3f s\n", pages, ROWS_PER_PAGE,
	       (size_t)(bytes / (uint64_t)pages), dt);
	printf("%.0f MB/s, %.2f M rows/s, %.1f us/page (check %llu)\n", (double)bytes / dt / 1e6,
	       (double)pages * ROWS_PER_PAGE / dt / 1e6, dt / (double)pages * 1e6,
	       (unsigned long long)check);
	jw_cleanup(&w);
	return 0;
}
