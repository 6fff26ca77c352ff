/* Build: clang -fsanitize=fuzzer,address,undefined -std=c17 -D_GNU_SOURCE -Isrc -o /tmp/fuzz_jw \
 *          tests/fuzz/fuzz_jw.c src/core/jw.c $(pkg-config --cflags --libs jansson)
 * Run:   mkdir -p /tmp/fuzz_jw_corpus && /tmp/fuzz_jw -max_total_time=60 /tmp/fuzz_jw_corpus */
/* Fuzz target for the streaming JSON writer. Two checks per input:
 *  1. the whole input as one string: the output must parse, and when the input
 *     is valid UTF-8 (jansson's json_stringn is the oracle) it must read back
 *     byte for byte, otherwise it must read back as valid UTF-8;
 *  2. the input as a little program of writer calls (containers, keys, strings,
 *     numbers, times) under a small max: whatever jw accepts must parse. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/jw.h"

#define LOAD_FLAGS (JSON_DECODE_ANY | JSON_ALLOW_NUL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *parse_or_die(const char *text, size_t len)
{
	json_error_t jerr;
	json_t *v = json_loadb(text, len, LOAD_FLAGS, &jerr);

	if (v == NULL) {
		fprintf(stderr, "jw wrote invalid JSON (%s): %.*s\n", jerr.text, (int)len, text);
		abort();
	}
	return v;
}

static void check_one_string(const uint8_t *data, size_t size)
{
	struct jw w;
	json_t *oracle, *got;
	char *text;
	size_t len;

	jw_init(&w, 0, 8 * size + 64);
	jw_strn(&w, (const char *)data, size);
	text = jw_steal(&w, &len);
	if (text == NULL)
		abort(); /* 6x expansion always fits under 8x */
	got = parse_or_die(text, len);
	if (!json_is_string(got))
		abort();
	oracle = json_stringn((const char *)data, size);
	if (oracle != NULL && !json_equal(oracle, got))
		abort();
	/* jansson checks UTF-8 when building a string: the repaired text must pass. */
	json_decref(oracle);
	oracle = json_stringn(json_string_value(got), json_string_length(got));
	if (oracle == NULL)
		abort();
	json_decref(oracle);
	json_decref(got);
	free(text);
	jw_cleanup(&w);
}

/* Takes up to `want` bytes from the input as a chunk. */
static const char *chunk(const uint8_t **p, const uint8_t *end, size_t want, size_t *n)
{
	const char *s = (const char *)*p;

	*n = (size_t)(end - *p) < want ? (size_t)(end - *p) : want;
	*p += *n;
	return s;
}

static uint64_t take_u64(const uint8_t **p, const uint8_t *end)
{
	uint64_t v = 0;

	for (int i = 0; i < 8 && *p < end; i++)
		v = v << 8 | *(*p)++;
	return v;
}

static void run_program(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	char key[64];
	struct jw w;
	size_t n;
	const char *s;
	double d;
	uint64_t u;
	char *text;
	size_t len;

	if (size == 0)
		return;
	/* First byte picks the limit, so TOO_LARGE paths get exercised too. */
	jw_init(&w, *p % 32, (size_t)(*p & 0x7F) * 64 + 16);
	p++;
	while (p < end && jw_error(&w) == ERR_OK) {
		uint8_t op = *p++;
		switch (op % 14) {
		case 0: jw_obj_begin(&w); break;
		case 1: jw_obj_end(&w); break;
		case 2: jw_arr_begin(&w); break;
		case 3: jw_arr_end(&w); break;
		case 4:
			s = chunk(&p, end, op >> 4, &n);
			memcpy(key, s, n);
			key[n] = '\0';
			jw_key(&w, key);
			break;
		case 5:
			s = chunk(&p, end, (size_t)(op >> 4) * 4, &n);
			jw_strn(&w, s, n);
			break;
		case 6: jw_int(&w, (int64_t)take_u64(&p, end)); break;
		case 7: jw_uint(&w, take_u64(&p, end) >> 1); break;
		case 8:
			u = take_u64(&p, end);
			memcpy(&d, &u, sizeof d);
			jw_double(&w, d);
			break;
		case 9: jw_bool(&w, op & 16); break;
		case 10: jw_null(&w); break;
		case 11: jw_time_ms(&w, (int64_t)take_u64(&p, end) >> (op >> 4)); break;
		case 12: jw_raw(&w, "[1,{\"a\":null}]", 14); break;
		default:
			s = chunk(&p, end, op >> 4, &n);
			memcpy(key, s, n);
			key[n] = '\0';
			jw_kstr(&w, key, key);
			break;
		}
	}
	/* Close whatever is open so a valid prefix becomes a document. */
	if (w.after_key)
		jw_null(&w);
	while (jw_error(&w) == ERR_OK && w.depth > 0) {
		if (w.obj & (UINT64_C(1) << (w.depth - 1)))
			jw_obj_end(&w);
		else
			jw_arr_end(&w);
	}
	if (jw_error(&w) == ERR_OK && w.len > 0) {
		text = jw_steal(&w, &len);
		if (text == NULL || len > w.max)
			abort();
		json_decref(parse_or_die(text, len));
		free(text);
	} else if (jw_error(&w) == ERR_TOO_LARGE && w.len > w.max) {
		abort();
	}
	jw_cleanup(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_one_string(data, size);
	run_program(data, size);
	return 0;
}
