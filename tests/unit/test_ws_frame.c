/* Unit tests for http/ws_frame.c: server frame headers at the three length
 * encodings, parsing masked client frames (whole, split at every byte, two in
 * one buffer), and each protocol violation with the close code it earns. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "http/ws_frame.h"

/* A masked client frame: header (with 16- or 64-bit length as needed), mask, masked payload. */
static size_t client_frame(uint8_t *out, int first_byte, const uint8_t *pl, size_t len)
{
	static const uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
	size_t hl = 2;
	out[0] = (uint8_t)first_byte;
	if (len < 126) {
		out[1] = (uint8_t)(0x80 | len);
	} else if (len <= 0xffff) {
		out[1] = 0x80 | 126;
		out[2] = (uint8_t)(len >> 8);
		out[3] = (uint8_t)len;
		hl = 4;
	} else {
		out[1] = 0x80 | 127;
		for (int i = 0; i < 8; i++)
			out[2 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
		hl = 10;
	}
	memcpy(out + hl, mask, 4);
	for (size_t i = 0; i < len; i++)
		out[hl + 4 + i] = pl[i] ^ mask[i & 3];
	return hl + 4 + len;
}

static void test_header_lengths(void **state)
{
	(void)state;
	uint8_t h[WS_FRAME_HEADER_MAX];
	assert_int_equal(ws_frame_header(h, WS_OP_TEXT, 0), 2);
	assert_int_equal(h[0], 0x81);
	assert_int_equal(h[1], 0);
	assert_int_equal(ws_frame_header(h, WS_OP_TEXT, 125), 2);
	assert_int_equal(h[1], 125);
	assert_int_equal(ws_frame_header(h, WS_OP_TEXT, 126), 4);
	assert_int_equal(h[1], 126);
	assert_int_equal(h[2] << 8 | h[3], 126);
	assert_int_equal(ws_frame_header(h, WS_OP_PONG, 65535), 4);
	assert_int_equal(h[0], 0x8A);
	assert_int_equal(h[2] << 8 | h[3], 65535);
	assert_int_equal(ws_frame_header(h, WS_OP_CLOSE, 65536), 10);
	assert_int_equal(h[0], 0x88);
	assert_int_equal(h[1], 127);
	assert_int_equal(h[7], 1); /* 0x0000000000010000 */
	assert_int_equal(h[8], 0);
	assert_int_equal(h[9], 0);
}

static void test_parse_whole_and_split(void **state)
{
	(void)state;
	uint8_t pl[300], buf[400], copy[400];
	for (size_t i = 0; i < sizeof pl; i++)
		pl[i] = (uint8_t)(i * 7);
	size_t n = client_frame(buf, 0x81, pl, sizeof pl);
	assert_int_equal(n, 4 + 4 + 300);
	for (size_t cut = 0; cut < n; cut++) { /* any prefix is "need more" */
		memcpy(copy, buf, n);
		struct ws_in_frame f;
		assert_int_equal(ws_frame_parse(copy, cut, 4096, &f), 0);
	}
	struct ws_in_frame f;
	memcpy(copy, buf, n);
	assert_int_equal(ws_frame_parse(copy, n, 4096, &f), (long)n);
	assert_int_equal(f.op, WS_OP_TEXT);
	assert_true(f.fin);
	assert_int_equal(f.len, 300);
	assert_memory_equal(f.payload, pl, 300);
}

static void test_parse_two_in_a_row(void **state)
{
	(void)state;
	uint8_t buf[64];
	size_t a = client_frame(buf, 0x89, (const uint8_t *)"hi", 2);
	size_t b = client_frame(buf + a, 0x88, (const uint8_t *)"\x03\xe8", 2);
	struct ws_in_frame f;
	assert_int_equal(ws_frame_parse(buf, a + b, 4096, &f), (long)a);
	assert_int_equal(f.op, WS_OP_PING);
	assert_memory_equal(f.payload, "hi", 2);
	assert_int_equal(ws_frame_parse(buf + a, b, 4096, &f), (long)b);
	assert_int_equal(f.op, WS_OP_CLOSE);
	assert_int_equal(ws_close_code(f.payload, f.len), 1000);
}

static void test_violations(void **state)
{
	(void)state;
	uint8_t buf[300], big[5000];
	struct ws_in_frame f;
	memset(big, 'x', sizeof big);
	/* unmasked */
	uint8_t unmasked[] = {0x81, 0x02, 'h', 'i'};
	assert_int_equal(ws_frame_parse(unmasked, sizeof unmasked, 4096, &f), -WS_CLOSE_PROTOCOL);
	/* reserved bit, reserved opcodes */
	client_frame(buf, 0xC1, (const uint8_t *)"a", 1);
	assert_int_equal(ws_frame_parse(buf, 7, 4096, &f), -WS_CLOSE_PROTOCOL);
	client_frame(buf, 0x83, (const uint8_t *)"a", 1);
	assert_int_equal(ws_frame_parse(buf, 7, 4096, &f), -WS_CLOSE_PROTOCOL);
	client_frame(buf, 0x8B, (const uint8_t *)"a", 1);
	assert_int_equal(ws_frame_parse(buf, 7, 4096, &f), -WS_CLOSE_PROTOCOL);
	/* fragmented or long control frames */
	client_frame(buf, 0x09, (const uint8_t *)"a", 1);
	assert_int_equal(ws_frame_parse(buf, 7, 4096, &f), -WS_CLOSE_PROTOCOL);
	size_t n = client_frame(buf, 0x89, big, 126);
	assert_int_equal(ws_frame_parse(buf, n, 4096, &f), -WS_CLOSE_PROTOCOL);
	/* data over the limit: known from the header alone */
	uint8_t hdr[14];
	client_frame(hdr, 0x81, big, 0); /* fix up a header claiming 5000 bytes */
	hdr[1] = 0x80 | 126;
	hdr[2] = 5000 >> 8;
	hdr[3] = 5000 & 0xff;
	assert_int_equal(ws_frame_parse(hdr, 8, 4096, &f), -WS_CLOSE_TOO_BIG);
	/* a 64-bit length with the top bit set */
	uint8_t huge[14] = {0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4};
	assert_int_equal(ws_frame_parse(huge, sizeof huge, 4096, &f), -WS_CLOSE_PROTOCOL);
	/* a continuation frame is fine (the hub ignores client data) */
	n = client_frame(buf, 0x80, (const uint8_t *)"zz", 2);
	assert_int_equal(ws_frame_parse(buf, n, 4096, &f), (long)n);
	assert_int_equal(f.op, WS_OP_CONT);
}

static void test_close_codes(void **state)
{
	(void)state;
	assert_int_equal(ws_close_code(NULL, 0), 0);
	assert_int_equal(ws_close_code((const uint8_t *)"\x03", 1), -1);
	assert_int_equal(ws_close_code((const uint8_t *)"\x03\xe9", 2), 1001);
	assert_int_equal(ws_close_code((const uint8_t *)"\x03\xed", 2), -1);    /* 1005: never on the wire */
	assert_int_equal(ws_close_code((const uint8_t *)"\x03\xee", 2), -1);    /* 1006 */
	assert_int_equal(ws_close_code((const uint8_t *)"\x0f\xa1xyz", 5), 4001); /* application code, reason */
	assert_int_equal(ws_close_code((const uint8_t *)"\x13\x88", 2), -1);    /* 5000 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_lengths),
		cmocka_unit_test(test_parse_whole_and_split),
		cmocka_unit_test(test_parse_two_in_a_row),
		cmocka_unit_test(test_violations),
		cmocka_unit_test(test_close_codes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
