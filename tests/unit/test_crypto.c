/* Unit tests for core/crypto.h against published vectors: SHA-256 (FIPS 180-2
 * examples), HMAC-SHA1 (RFC 2202) and HMAC-SHA256 (RFC 4231), base64 and
 * base64url (RFC 4648 §10); then the token format, constant-time string
 * equality, and argon2id password hashing and verification, including PHC
 * strings that are garbage or of another argon2 variant.
 *
 * Tests named known_bug_* pin behaviour that disagrees with crypto.h; they
 * now pass (the bugs are fixed). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <argon2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"

/* Lower-case hex of n bytes into out (2n+1). */
static void to_hex(const unsigned char *p, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * n] = 0;
}

static void test_sha256_vectors(void **state)
{
	(void)state;
	char out[CRYPTO_SHA256_HEX];
	crypto_sha256_hex("", 0, out);
	assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	crypto_sha256_hex("abc", 3, out);
	assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	crypto_sha256_hex(two, strlen(two), out);
	assert_string_equal(out, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* Length is honoured: embedded NUL and a shorter prefix. */
	crypto_sha256_hex("abcdef", 3, out);
	assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	char nul[CRYPTO_SHA256_HEX];
	crypto_sha256_hex("a\0c", 3, nul);
	assert_string_not_equal(nul, out);
	assert_int_equal(strlen(nul), 64);
}

struct hmac_vec {
	unsigned char key[131];
	size_t klen;
	unsigned char data[160];
	size_t dlen;
	const char *hex;   /* expected digest (maybe truncated: compare its length) */
};

/* Fills v->key with n copies of byte c. */
static void fill(unsigned char *p, size_t *len, unsigned char c, size_t n)
{
	memset(p, c, n);
	*len = n;
}

static void put(unsigned char *p, size_t *len, const char *s)
{
	*len = strlen(s);
	memcpy(p, s, *len);
}

/* The seven key/data pairs shared by RFC 2202 (SHA-1) and RFC 4231 (SHA-256);
 * cases 6 and 7 use an 80-byte key in RFC 2202 and 131 bytes in RFC 4231. */
static void hmac_case(struct hmac_vec *v, int c, bool sha256)
{
	memset(v, 0, sizeof *v);
	switch (c) {
	case 1:
		fill(v->key, &v->klen, 0x0b, 20);
		put(v->data, &v->dlen, "Hi There");
		break;
	case 2:
		put(v->key, &v->klen, "Jefe");
		put(v->data, &v->dlen, "what do ya want for nothing?");
		break;
	case 3:
		fill(v->key, &v->klen, 0xaa, 20);
		fill(v->data, &v->dlen, 0xdd, 50);
		break;
	case 4:
		for (int i = 0; i < 25; i++)
			v->key[i] = (unsigned char)(i + 1);
		v->klen = 25;
		fill(v->data, &v->dlen, 0xcd, 50);
		break;
	case 5:
		fill(v->key, &v->klen, 0x0c, 20);
		put(v->data, &v->dlen, "Test With Truncation");
		break;
	case 6:
		fill(v->key, &v->klen, 0xaa, sha256 ? 131 : 80);
		put(v->data, &v->dlen, "Test Using Larger Than Block-Size Key - Hash Key First");
		break;
	case 7:
		fill(v->key, &v->klen, 0xaa, sha256 ? 131 : 80);
		put(v->data, &v->dlen,
		    sha256 ? "This is a test using a larger than block-size key and a larger than block-size data."
			     " The key needs to be hashed before being used by the HMAC algorithm."
			   : "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data");
		break;
	}
}

static void test_hmac_sha1_rfc2202(void **state)
{
	(void)state;
	static const char *const want[] = {
		NULL,
		"b617318655057264e28bc0b6fb378c8ef146be00",
		"effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
		"125d7342b9ac11cd91a39af48aa17b4f63f175d3",
		"4c9007f4026250c6bc8414f9bf50c86c2d7235da",
		"4c1a03424b55e07fe7f27be1d58bb9324a9a5a04",
		"aa4ae5e15272d00e95705637ce8a3b55ed402112",
		"e8e99d0f45237d786d6bbaa7965c7808bbff1a91",
	};
	for (int c = 1; c <= 7; c++) {
		struct hmac_vec v;
		unsigned char md[20];
		char hex[41];
		hmac_case(&v, c, false);
		size_t n = crypto_hmac_sha1(v.key, v.klen, v.data, v.dlen, md);
		assert_int_equal(n, 20);
		to_hex(md, 20, hex);
		if (strcmp(hex, want[c]) != 0)
			fail_msg("RFC 2202 case %d: %s, want %s", c, hex, want[c]);
	}
}

static void test_hmac_sha256_rfc4231(void **state)
{
	(void)state;
	static const char *const want[] = {
		NULL,
		"b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
		"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
		"773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
		"82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
		"a3b6167473100ee06e0c796c2955552b", /* truncated to 128 bits in the RFC */
		"60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
		"9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
	};
	for (int c = 1; c <= 7; c++) {
		struct hmac_vec v;
		unsigned char md[32];
		char hex[65];
		hmac_case(&v, c, true);
		size_t n = crypto_hmac_sha256(v.key, v.klen, v.data, v.dlen, md);
		assert_int_equal(n, 32);
		to_hex(md, 32, hex);
		if (strncmp(hex, want[c], strlen(want[c])) != 0)
			fail_msg("RFC 4231 case %d: %s, want %s", c, hex, want[c]);
	}
}

static void test_hmac_empty(void **state)
{
	(void)state;
	unsigned char md[32];
	char hex[65];
	/* HMAC-SHA256 with empty key and empty message (widely published value). */
	assert_int_equal(crypto_hmac_sha256("", 0, "", 0, md), 32);
	to_hex(md, 32, hex);
	assert_string_equal(hex, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
	assert_int_equal(crypto_hmac_sha1("", 0, "", 0, md), 20);
	to_hex(md, 20, hex);
	assert_string_equal(hex, "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
}

static void expect_b64(const char *in, const char *std, const char *url)
{
	char out[64];
	assert_true(crypto_base64(in, strlen(in), out, sizeof out, false));
	if (strcmp(out, std) != 0)
		fail_msg("base64(\"%s\") = %s, want %s", in, out, std);
	assert_true(crypto_base64(in, strlen(in), out, sizeof out, true));
	if (strcmp(out, url) != 0)
		fail_msg("base64url(\"%s\") = %s, want %s", in, out, url);
}

static void test_base64_rfc4648(void **state)
{
	(void)state;
	expect_b64("", "", "");
	expect_b64("f", "Zg==", "Zg");
	expect_b64("fo", "Zm8=", "Zm8");
	expect_b64("foo", "Zm9v", "Zm9v");
	expect_b64("foob", "Zm9vYg==", "Zm9vYg");
	expect_b64("fooba", "Zm9vYmE=", "Zm9vYmE");
	expect_b64("foobar", "Zm9vYmFy", "Zm9vYmFy");
}

static void test_base64_alphabets(void **state)
{
	(void)state;
	char out[64];
	static const unsigned char hi[] = {0xfb, 0xff, 0xbf};
	assert_true(crypto_base64(hi, 3, out, sizeof out, false));
	assert_string_equal(out, "+/+/");
	assert_true(crypto_base64(hi, 3, out, sizeof out, true));
	assert_string_equal(out, "-_-_");
	static const unsigned char ff[] = {0xff, 0xff};
	assert_true(crypto_base64(ff, 2, out, sizeof out, false));
	assert_string_equal(out, "//8=");
	assert_true(crypto_base64(ff, 2, out, sizeof out, true));
	assert_string_equal(out, "__8");
	static const unsigned char zero[] = {0, 0, 0, 0};
	assert_true(crypto_base64(zero, 4, out, sizeof out, false));
	assert_string_equal(out, "AAAAAA==");

	/* All 256 byte values: only the alphabet's characters. */
	unsigned char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	char big[400];
	assert_true(crypto_base64(all, sizeof all, big, sizeof big, true));
	assert_int_equal(strlen(big), 342); /* ceil(256 * 8 / 6) */
	assert_int_equal(strspn(big, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 342);
	assert_true(crypto_base64(all, sizeof all, big, sizeof big, false));
	assert_int_equal(strlen(big), 344);
	assert_string_equal(big + 340, "/w==");
}

static void test_base64_too_small(void **state)
{
	(void)state;
	char out[16];
	memset(out, '#', sizeof out);
	/* "foo" -> "Zm9v" needs 5 bytes with the NUL. */
	assert_true(crypto_base64("foo", 3, out, 5, false));
	assert_string_equal(out, "Zm9v");
	memset(out, '#', sizeof out);
	assert_false(crypto_base64("foo", 3, out, 4, false));
	assert_int_equal(out[4], '#');
	assert_false(crypto_base64("foobar", 6, out, 8, false));
	assert_int_equal(out[8], '#');
	assert_false(crypto_base64("f", 1, out, 0, false));
	/* Empty input needs only the NUL. */
	assert_true(crypto_base64("", 0, out, 1, false));
	assert_string_equal(out, "");
}

static bool is_url_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static void check_token(const char *prefix, const char *tok)
{
	size_t pl = strlen(prefix);
	if (strncmp(tok, prefix, pl) != 0)
		fail_msg("[%s] does not start with %s", tok, prefix);
	if (strlen(tok) != pl + 43)
		fail_msg("[%s]: %zu chars after the prefix, want 43", tok, strlen(tok) - pl);
	for (size_t i = pl; tok[i]; i++)
		if (!is_url_char(tok[i]))
			fail_msg("[%s]: '%c' is not base64url", tok, tok[i]);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_token_format_and_unique(void **state)
{
	(void)state;
	enum { N = 2000 };
	char(*toks)[64] = malloc(N * sizeof *toks);
	char **ptrs = malloc(N * sizeof *ptrs);
	assert_non_null(toks);
	assert_non_null(ptrs);
	for (int i = 0; i < N; i++) {
		assert_int_equal(crypto_token_new("sbt_", toks[i], sizeof toks[i]), ERR_OK);
		check_token("sbt_", toks[i]);
		ptrs[i] = toks[i];
	}
	qsort(ptrs, N, sizeof *ptrs, cmp_str);
	for (int i = 1; i < N; i++)
		if (strcmp(ptrs[i - 1], ptrs[i]) == 0)
			fail_msg("duplicate token %s", ptrs[i]);
	free(ptrs);
	free(toks);

	char t[64];
	assert_int_equal(crypto_token_new("", t, sizeof t), ERR_OK);
	check_token("", t);
	/* The last char holds 4 bits of entropy plus 2 zero bits: only every 4th
	 * letter of the alphabet can appear there. */
	assert_non_null(strchr("AEIMQUYcgkosw048", t[42]));
}

static void test_token_too_small(void **state)
{
	(void)state;
	char t[64];
	memset(t, '#', sizeof t);
	/* Less than strlen(prefix) + 44 is refused without writing past n. */
	assert_int_not_equal(crypto_token_new("sbs_", t, 47), ERR_OK);
	assert_int_equal(t[47], '#');
	assert_int_not_equal(crypto_token_new("", t, 10), ERR_OK);
	assert_int_not_equal(crypto_token_new("sbs_", t, 0), ERR_OK);
}

/* crypto.h: "out (size n >= strlen(prefix)+44)". With n exactly that, the
 * token must still be written; src/core/crypto.c asks crypto_base64 for the
 * padded size (45) and ignores its false, so out holds the prefix and no NUL. */
static void known_bug_token_exact_size(void **state)
{
	(void)state;
	char t[64];
	memset(t, '#', sizeof t);
	assert_int_equal(crypto_token_new("sbt_", t, 4 + 44), ERR_OK);
	assert_int_equal(t[47], '\0');
	check_token("sbt_", t);
}

/* crypto.h: "base64url (no padding) ... false if n too small". "f" encodes to
 * "Zg" (3 bytes with the NUL) but crypto_base64 wants room for "Zg==". */
static void known_bug_base64url_exact_size(void **state)
{
	(void)state;
	char out[3];
	assert_true(crypto_base64("f", 1, out, sizeof out, true));
	assert_string_equal(out, "Zg");
}

static void test_streq(void **state)
{
	(void)state;
	assert_true(crypto_streq("", ""));
	assert_true(crypto_streq("abc", "abc"));
	assert_true(crypto_streq("sbt_0123456789", "sbt_0123456789"));
	assert_false(crypto_streq("abc", "abd"));
	assert_false(crypto_streq("abc", "Abc"));
	assert_false(crypto_streq("abc", "ab"));
	assert_false(crypto_streq("ab", "abc"));
	assert_false(crypto_streq("", "a"));
	assert_false(crypto_streq("a", ""));
	char a[4] = {'a', 'b', 0, 'x'}, b[4] = {'a', 'b', 0, 'y'};
	assert_true(crypto_streq(a, b)); /* NUL-terminated: bytes after the NUL do not count */
}

static void test_random_and_wipe(void **state)
{
	(void)state;
	unsigned char a[32] = {0}, b[32] = {0}, zero[32] = {0};
	crypto_random(a, sizeof a);
	crypto_random(b, sizeof b);
	assert_memory_not_equal(a, zero, sizeof a);
	assert_memory_not_equal(a, b, sizeof a);
	crypto_random(a, 0);
	crypto_wipe(a, sizeof a);
	assert_memory_equal(a, zero, sizeof a);
	crypto_wipe(NULL, 10);
	crypto_wipe(b, 0);
}

static void test_password_hash_verify(void **state)
{
	(void)state;
	char phc[128], phc2[128];
	assert_int_equal(crypto_password_hash("correct horse battery staple", phc, sizeof phc), ERR_OK);
	assert_true(strncmp(phc, "$argon2id$v=19$", 15) == 0);
	assert_true(strlen(phc) < sizeof phc);
	assert_true(crypto_password_verify(phc, "correct horse battery staple"));
	assert_false(crypto_password_verify(phc, "correct horse battery stapl"));
	assert_false(crypto_password_verify(phc, "correct horse battery staple "));
	assert_false(crypto_password_verify(phc, "Correct horse battery staple"));
	assert_false(crypto_password_verify(phc, ""));
	assert_false(crypto_password_verify(phc, NULL));

	/* A fresh salt each time: same password, different strings, both verify. */
	assert_int_equal(crypto_password_hash("correct horse battery staple", phc2, sizeof phc2), ERR_OK);
	assert_string_not_equal(phc, phc2);
	assert_true(crypto_password_verify(phc2, "correct horse battery staple"));

	/* Empty and non-ASCII passwords are just bytes. */
	assert_int_equal(crypto_password_hash("", phc, sizeof phc), ERR_OK);
	assert_true(crypto_password_verify(phc, ""));
	assert_false(crypto_password_verify(phc, " "));
	assert_int_equal(crypto_password_hash("p\xc3\xa4ssw\xc3\xb6rd", phc, sizeof phc), ERR_OK);
	assert_true(crypto_password_verify(phc, "p\xc3\xa4ssw\xc3\xb6rd"));
	assert_false(crypto_password_verify(phc, "passwoerd"));
}

static void test_password_hash_small_buffer(void **state)
{
	(void)state;
	char phc[32];
	assert_int_not_equal(crypto_password_hash("secret", phc, sizeof phc), ERR_OK);
}

static void test_password_garbage_phc(void **state)
{
	(void)state;
	char good[128];
	assert_int_equal(crypto_password_hash("secret", good, sizeof good), ERR_OK);

	static const char *const bad[] = {
		"",
		"garbage",
		"$argon2id$",
		"$argon2id$v=19$",
		"$argon2id$v=19$m=19456,t=2,p=1$",
		"$argon2id$v=19$m=19456,t=2,p=1$!!!!$????",
		"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$",
		"$argon2id$v=19$m=0,t=0,p=0$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$2b$12$abcdefghijklmnopqrstuuOiyBpoUvsbkEtdXaf0XuM2ZpjHSw1rK", /* bcrypt */
		"5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8", /* bare sha256 */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (crypto_password_verify(bad[i], "secret"))
			fail_msg("verify accepted [%s]", bad[i]);
	assert_false(crypto_password_verify(NULL, "secret"));

	/* A valid hash with its digest altered, or truncated. */
	char tampered[128];
	memcpy(tampered, good, sizeof good);
	size_t len = strlen(tampered);
	tampered[len - 2] = tampered[len - 2] == 'A' ? 'B' : 'A';
	assert_false(crypto_password_verify(tampered, "secret"));
	memcpy(tampered, good, sizeof good);
	tampered[len - 10] = 0;
	assert_false(crypto_password_verify(tampered, "secret"));
	/* Upper-case variant name is not the PHC id. */
	memcpy(tampered, good, sizeof good);
	memcpy(tampered + 1, "ARGON2ID", 8);
	assert_false(crypto_password_verify(tampered, "secret"));
}

/* argon2i / argon2d strings of the right password are refused: only
 * argon2id is accepted. */
static void test_password_other_variants(void **state)
{
	(void)state;
	static const unsigned char salt[16] = "0123456789abcdef";
	char phc[128];
	assert_int_equal(argon2i_hash_encoded(2, 1024, 1, "secret", 6, salt, sizeof salt, 32, phc, sizeof phc),
			 ARGON2_OK);
	assert_true(strncmp(phc, "$argon2i$", 9) == 0);
	assert_int_equal(argon2i_verify(phc, "secret", 6), ARGON2_OK); /* the string is sound */
	assert_false(crypto_password_verify(phc, "secret"));

	assert_int_equal(argon2d_hash_encoded(2, 1024, 1, "secret", 6, salt, sizeof salt, 32, phc, sizeof phc),
			 ARGON2_OK);
	assert_true(strncmp(phc, "$argon2d$", 9) == 0);
	assert_false(crypto_password_verify(phc, "secret"));

	/* Control: the same parameters as argon2id do verify. */
	assert_int_equal(argon2id_hash_encoded(2, 1024, 1, "secret", 6, salt, sizeof salt, 32, phc, sizeof phc),
			 ARGON2_OK);
	assert_true(crypto_password_verify(phc, "secret"));
	assert_false(crypto_password_verify(phc, "Secret"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_hmac_sha1_rfc2202),
		cmocka_unit_test(test_hmac_sha256_rfc4231),
		cmocka_unit_test(test_hmac_empty),
		cmocka_unit_test(test_base64_rfc4648),
		cmocka_unit_test(test_base64_alphabets),
		cmocka_unit_test(test_base64_too_small),
		cmocka_unit_test(test_token_format_and_unique),
		cmocka_unit_test(test_token_too_small),
		cmocka_unit_test(known_bug_token_exact_size),
		cmocka_unit_test(known_bug_base64url_exact_size),
		cmocka_unit_test(test_streq),
		cmocka_unit_test(test_random_and_wipe),
		cmocka_unit_test(test_password_hash_verify),
		cmocka_unit_test(test_password_hash_small_buffer),
		cmocka_unit_test(test_password_garbage_phc),
		cmocka_unit_test(test_password_other_variants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
