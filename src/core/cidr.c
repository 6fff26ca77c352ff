/* CIDR lists: parse with inet_pton, match by prefix bits. */
#include "core/cidr.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#define ENTRY_MAX 64

/* Parses one address into a 16-byte buffer; *v6 tells the family. */
static bool parse_addr(const char *s, uint8_t out[16], bool *v6)
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1) {
		*v6 = false;
		return true;
	}
	if (inet_pton(AF_INET6, s, out) == 1) {
		*v6 = true;
		return true;
	}
	return false;
}

/* An IPv4-mapped IPv6 address (::ffff:a.b.c.d) becomes plain IPv4. */
static void unmap(uint8_t a[16], bool *v6)
{
	static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (*v6 && memcmp(a, prefix, 12) == 0) {
		memmove(a, a + 12, 4);
		memset(a + 4, 0, 12);
		*v6 = false;
	}
}

static enum err parse_entry(const char *s, size_t n, struct cidr *c, struct err_detail *d)
{
	char tmp[ENTRY_MAX];
	if (n >= sizeof tmp)
		return err_set(d, ERR_INVALID, "'%.*s' is not an address or CIDR block", (int)(n > 40 ? 40 : n), s);
	memcpy(tmp, s, n);
	tmp[n] = 0;
	char *slash = strchr(tmp, '/');
	long bits = -1;
	if (slash) {
		*slash = 0;
		char *end;
		const char *p = slash + 1;
		if (*p < '0' || *p > '9')
			return err_set(d, ERR_INVALID, "'%.*s' has a bad prefix length", (int)n, s);
		bits = strtol(p, &end, 10);
		if (*end || end - p > 3)
			return err_set(d, ERR_INVALID, "'%.*s' has a bad prefix length", (int)n, s);
	}
	if (!parse_addr(tmp, c->addr, &c->v6))
		return err_set(d, ERR_INVALID, "'%.*s' is not an address or CIDR block", (int)n, s);
	int max = c->v6 ? 128 : 32;
	if (bits > max)
		return err_set(d, ERR_INVALID, "'%.*s': the prefix is longer than %d bits", (int)n, s, max);
	c->bits = (uint8_t)(bits < 0 ? max : bits);
	if (c->v6 && c->bits >= 96) { /* ::ffff:10.0.0.0/104 is the IPv4 block 10.0.0.0/8 */
		unmap(c->addr, &c->v6);
		if (!c->v6)
			c->bits = (uint8_t)(c->bits - 96);
	}
	return ERR_OK;
}

enum err cidr_list_parse(const char *text, struct cidr_list *l, struct err_detail *d)
{
	l->n = 0;
	if (!text)
		return ERR_OK;
	const char *p = text;
	while (*p) {
		p += strspn(p, " ,\t\n");
		size_t n = strcspn(p, " ,\t\n");
		if (!n)
			break;
		if (l->n >= CIDR_MAX)
			return err_set(d, ERR_INVALID, "at most %d entries", CIDR_MAX);
		enum err rc = parse_entry(p, n, &l->v[l->n], d);
		if (rc != ERR_OK)
			return rc;
		l->n++;
		p += n;
	}
	return ERR_OK;
}

static bool prefix_eq(const uint8_t *a, const uint8_t *b, int bits)
{
	int full = bits / 8, rest = bits % 8;
	if (memcmp(a, b, (size_t)full) != 0)
		return false;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (a[full] & mask) == (b[full] & mask);
}

bool cidr_list_match(const struct cidr_list *l, const char *ip)
{
	uint8_t a[16];
	bool v6;
	if (!l || !ip || !parse_addr(ip, a, &v6))
		return false;
	unmap(a, &v6);
	for (int i = 0; i < l->n; i++)
		if (l->v[i].v6 == v6 && prefix_eq(a, l->v[i].addr, l->v[i].bits))
			return true;
	return false;
}
