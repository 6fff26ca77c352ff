/* CIDR lists (IPv4 and IPv6): parsing a comma- or space-separated list such as
 * "10.0.0.0/8, 192.168.1.7, 2001:db8::/32" and matching an address against it.
 * A bare address is a host entry (/32 or /128). IPv4-mapped IPv6 addresses
 * ("::ffff:10.1.2.3") match IPv4 entries. Pure; no allocation. */
#ifndef SB_CORE_CIDR_H
#define SB_CORE_CIDR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

#define CIDR_MAX 32 /* entries in one list */

struct cidr {
	uint8_t addr[16]; /* IPv4 in the first 4 bytes */
	uint8_t bits;     /* prefix length */
	bool v6;
};

struct cidr_list {
	struct cidr v[CIDR_MAX];
	int n;
};

/* Parses text (NULL or "" gives an empty list) into l. ERR_INVALID (detail names
 * the bad entry) for a malformed entry, a prefix too long for its family, or
 * more than CIDR_MAX entries. */
enum err cidr_list_parse(const char *text, struct cidr_list *l, struct err_detail *d);
/* True when the textual address ip (IPv4 or IPv6) is inside an entry of l.
 * An unparsable address matches nothing. */
bool cidr_list_match(const struct cidr_list *l, const char *ip);

#endif
