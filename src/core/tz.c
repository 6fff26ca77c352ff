/* The zone database reader behind core/tz.h: TZif parsing (RFC 8536, 64-bit
 * data of version 2+ files, 32-bit data of version 1 files), the POSIX TZ
 * footer rule (std offset [dst [offset] [,start[/time],end[/time]]] with the
 * Jn, n and Mm.w.d forms and RFC 8536's signed rule times up to 167 hours),
 * conversions both ways, and the process-wide cache. Date arithmetic is
 * Hinnant's (clock_days_from_civil and its inverse below), so nothing here
 * touches the C library's process-global time zone state. */
#include "core/tz.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"

#define TZ_DIR "/usr/share/zoneinfo/"
#define NAME_MAX_LEN 255
#define FILE_MAX (1 << 20)     /* real TZif files are under 10 KiB */
#define OFF_MAX (26 * 3600)    /* RFC 8536: offsets within -89999..93599 */
#define DAY 86400
#define LOCAL_MS_LIMIT (INT64_C(1) << 62)

enum rule_kind { RULE_JULIAN1, RULE_ZERO, RULE_MWD }; /* Jn, n, Mm.w.d */

struct rule {
	enum rule_kind kind;
	int month, week, wday; /* RULE_MWD */
	int yday;              /* RULE_JULIAN1: 1-365 (Feb 29 not counted); RULE_ZERO: 0-365 */
	int32_t secs;          /* local time of day of the change */
};

/* The footer: how local time goes on after the last transition. */
struct posix_tz {
	bool present;
	bool has_dst;
	int32_t std_off, dst_off; /* seconds east (the TZ string counts west) */
	struct rule start, end;   /* start: std -> dst, in standard time; end: in dst */
};

struct ttype {
	int32_t off;
	bool dst;
};

struct tz {
	char *name;
	int64_t *trans;      /* transition instants, UTC seconds, strictly ascending */
	uint8_t *idx;        /* type in effect from each transition */
	struct ttype *types; /* at least one; types[0] applies before the first transition */
	int ntrans, ntypes;
	struct posix_tz footer;
	struct tz *cache_next; /* set once before the zone is published in the cache */
};

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static bool leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_len(int64_t y, int m)
{
	static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return len[m - 1] + (m == 2 && leap(y));
}

/* Inverse of clock_days_from_civil (Hinnant's civil_from_days). */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int weekday_of(int64_t days) { return (int)(days - floor_div(days + 4, 7) * 7 + 4); }

/* ---- POSIX TZ footer ---- */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

static bool parse_num(const char **pp, int maxdigits, int maxval, int *out)
{
	const char *p = *pp;
	int v = 0, n = 0;
	while (is_digit(*p) && n < maxdigits) {
		v = v * 10 + (*p++ - '0');
		n++;
	}
	if (n == 0 || v > maxval)
		return false;
	*pp = p;
	*out = v;
	return true;
}

/* A zone abbreviation: three or more letters, or <...> of letters, digits, '+', '-'. */
static bool parse_abbr(const char **pp)
{
	const char *p = *pp;
	int n = 0;
	if (*p == '<') {
		for (p++; *p && *p != '>'; p++, n++)
			if (!is_alpha(*p) && !is_digit(*p) && *p != '+' && *p != '-')
				return false;
		if (*p != '>' || n < 3)
			return false;
		*pp = p + 1;
		return true;
	}
	while (is_alpha(*p)) {
		p++;
		n++;
	}
	if (n < 3)
		return false;
	*pp = p;
	return true;
}

/* [+-]hh[:mm[:ss]] with hh <= maxh, as signed seconds. */
static bool parse_hms(const char **pp, int maxh, int32_t *out)
{
	const char *p = *pp;
	int sign = 1, h, m = 0, s = 0;
	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	if (!parse_num(&p, 3, maxh, &h))
		return false;
	if (*p == ':') {
		p++;
		if (!parse_num(&p, 2, 59, &m))
			return false;
		if (*p == ':') {
			p++;
			if (!parse_num(&p, 2, 59, &s))
				return false;
		}
	}
	*pp = p;
	*out = sign * (h * 3600 + m * 60 + s);
	return true;
}

static bool parse_rule(const char **pp, struct rule *r)
{
	const char *p = *pp;
	memset(r, 0, sizeof *r);
	if (*p == 'J') {
		p++;
		r->kind = RULE_JULIAN1;
		if (!parse_num(&p, 3, 365, &r->yday) || r->yday < 1)
			return false;
	} else if (*p == 'M') {
		p++;
		r->kind = RULE_MWD;
		if (!parse_num(&p, 2, 12, &r->month) || r->month < 1 || *p++ != '.' ||
		    !parse_num(&p, 1, 5, &r->week) || r->week < 1 || *p++ != '.' ||
		    !parse_num(&p, 1, 6, &r->wday))
			return false;
	} else {
		r->kind = RULE_ZERO;
		if (!parse_num(&p, 3, 365, &r->yday))
			return false;
	}
	r->secs = 2 * 3600;
	if (*p == '/') {
		p++;
		if (!parse_hms(&p, 167, &r->secs))
			return false;
	}
	*pp = p;
	return true;
}

/* Parses the footer's TZ string; s is NUL-terminated. */
static bool parse_posix(const char *s, struct posix_tz *f)
{
	const char *p = s;
	int32_t west;
	memset(f, 0, sizeof *f);
	if (!parse_abbr(&p) || !parse_hms(&p, 24, &west))
		return false;
	f->std_off = -west;
	f->dst_off = f->std_off;
	if (*p) {
		if (!parse_abbr(&p))
			return false;
		f->has_dst = true;
		f->dst_off = f->std_off + 3600;
		if (*p && *p != ',') {
			if (!parse_hms(&p, 24, &west))
				return false;
			f->dst_off = -west;
		}
		if (*p == ',') {
			p++;
			if (!parse_rule(&p, &f->start) || *p++ != ',' || !parse_rule(&p, &f->end))
				return false;
		} else {
			/* No rule: tzcode's default, the US rules since 2007. */
			const char *def = "M3.2.0,M11.1.0";
			if (!parse_rule(&def, &f->start) || *def++ != ',' || !parse_rule(&def, &f->end))
				return false;
		}
	}
	if (*p)
		return false;
	f->present = true;
	return true;
}

/* Local (wall) seconds since 1970 at which rule r fires in year y. */
static int64_t rule_local_secs(const struct rule *r, int64_t y)
{
	int64_t day;
	if (r->kind == RULE_JULIAN1) {
		day = clock_days_from_civil(y, 1, 1) + r->yday - 1 + (leap(y) && r->yday >= 60);
	} else if (r->kind == RULE_ZERO) {
		day = clock_days_from_civil(y, 1, 1) + r->yday;
	} else {
		int64_t first = clock_days_from_civil(y, (unsigned)r->month, 1);
		int d = (r->wday - weekday_of(first) + 7) % 7 + 7 * (r->week - 1);
		while (d >= month_len(y, r->month))
			d -= 7;
		day = first + d;
	}
	return day * DAY + r->secs;
}

/* The footer rule at UTC second t: the latest change at or before t among
 * those of the neighbouring years wins; on a tie DST wins, which makes
 * "DST all year" rules (start Jan 1 00:00, end Dec 31 25:00) come out right. */
static struct ttype footer_at(const struct posix_tz *f, int64_t t)
{
	struct ttype r = {f->std_off, false};
	if (!f->has_dst)
		return r;
	int64_t y;
	int m, d;
	civil_from_days(floor_div(t + f->std_off, DAY), &y, &m, &d);
	int64_t best = INT64_MIN;
	for (int64_t yy = y - 1; yy <= y + 1; yy++) {
		int64_t e = rule_local_secs(&f->end, yy) - f->dst_off;
		if (e <= t && e > best) {
			best = e;
			r.dst = false;
		}
	}
	for (int64_t yy = y - 1; yy <= y + 1; yy++) {
		int64_t s = rule_local_secs(&f->start, yy) - f->std_off;
		if (s <= t && s >= best) {
			best = s;
			r.dst = true;
		}
	}
	r.off = r.dst ? f->dst_off : f->std_off;
	return r;
}

/* ---- lookups ---- */

static struct ttype type_at(const struct tz *z, int64_t t)
{
	struct ttype utc = {0, false};
	if (!z)
		return utc;
	if (z->ntrans == 0 || t >= z->trans[z->ntrans - 1]) {
		if (z->footer.present)
			return footer_at(&z->footer, t);
		return z->types[z->ntrans == 0 ? 0 : z->idx[z->ntrans - 1]];
	}
	if (t < z->trans[0])
		return z->types[0];
	int lo = 0, hi = z->ntrans - 1; /* trans[lo] <= t < trans[hi] */
	while (hi - lo > 1) {
		int mid = lo + (hi - lo) / 2;
		if (z->trans[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return z->types[z->idx[lo]];
}

int32_t tz_offset_at(const struct tz *z, int64_t utc_ms, bool *is_dst)
{
	struct ttype t = type_at(z, floor_div(utc_ms, 1000));
	if (is_dst)
		*is_dst = t.dst;
	return t.off;
}

void tz_civil_at(const struct tz *z, int64_t utc_ms, struct tz_civil *out)
{
	int64_t s = floor_div(utc_ms, 1000);
	int64_t local = s + type_at(z, s).off;
	int64_t days = floor_div(local, DAY);
	int64_t sod = local - days * DAY;
	int64_t y;
	civil_from_days(days, &y, &out->month, &out->day);
	out->year = (int)y;
	out->hour = (int)(sod / 3600);
	out->minute = (int)(sod / 60 % 60);
	out->second = (int)(sod % 60);
	out->weekday = weekday_of(days);
}

/* Wall second L to UTC second. The offsets a day either side are the
 * candidates (zones never change twice within two days); a candidate is real
 * if the zone has that offset at the instant it gives. Two real ones: the
 * fall-back overlap, take the earlier. None: the spring-forward gap, where the
 * earlier offset moves the time forward by the gap. */
static int64_t local_secs_to_utc(const struct tz *z, int64_t local)
{
	int32_t ob = type_at(z, local - DAY).off, oa = type_at(z, local + DAY).off;
	if (ob == oa)
		return local - ob; /* the common case: no change nearby */
	int64_t ub = local - ob, ua = local - oa;
	bool vb = type_at(z, ub).off == ob, va = type_at(z, ua).off == oa;
	if (vb && va)
		return ub < ua ? ub : ua;
	if (va)
		return ua;
	return ub;
}

int64_t tz_local_ms_to_utc(const struct tz *z, int64_t local_ms)
{
	if (local_ms > LOCAL_MS_LIMIT)
		local_ms = LOCAL_MS_LIMIT;
	if (local_ms < -LOCAL_MS_LIMIT)
		local_ms = -LOCAL_MS_LIMIT;
	int64_t s = floor_div(local_ms, 1000);
	return local_secs_to_utc(z, s) * 1000 + (local_ms - s * 1000);
}

int64_t tz_local_to_utc(const struct tz *z, int y, int mon, int day, int h, int min, int sec)
{
	int64_t yy = (int64_t)y + floor_div((int64_t)mon - 1, 12);
	int m = (int)((int64_t)mon - 1 - floor_div((int64_t)mon - 1, 12) * 12) + 1;
	int64_t days = clock_days_from_civil(yy, (unsigned)m, 1) + (int64_t)day - 1;
	int64_t local = days * DAY + (int64_t)h * 3600 + (int64_t)min * 60 + sec;
	if (local > LOCAL_MS_LIMIT / 1000)
		local = LOCAL_MS_LIMIT / 1000;
	if (local < -LOCAL_MS_LIMIT / 1000)
		local = -LOCAL_MS_LIMIT / 1000;
	return local_secs_to_utc(z, local) * 1000;
}

const char *tz_name(const struct tz *z) { return z ? z->name : "UTC"; }

/* ---- TZif parsing ---- */

#define HDR_LEN 44

struct hdr {
	uint8_t version; /* 0 for version 1, else '2', '3', '4', ... */
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const uint8_t *p) { return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4)); }

static bool read_hdr(const uint8_t *p, size_t len, struct hdr *h)
{
	if (len < HDR_LEN || memcmp(p, "TZif", 4) != 0)
		return false;
	h->version = p[4];
	if (h->version != 0 && h->version < '2')
		return false;
	h->isutcnt = be32(p + 20);
	h->isstdcnt = be32(p + 24);
	h->leapcnt = be32(p + 28);
	h->timecnt = be32(p + 32);
	h->typecnt = be32(p + 36);
	h->charcnt = be32(p + 40);
	return true;
}

/* Bytes of the data block after a header; counts are 32-bit, size_t is 64. */
static size_t block_len(const struct hdr *h, size_t tsize)
{
	return (size_t)h->timecnt * (tsize + 1) + (size_t)h->typecnt * 6 + h->charcnt +
	       (size_t)h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

/* Reads transitions and types of one data block (p holds block_len bytes). */
static enum err parse_block(struct tz *z, const uint8_t *p, const struct hdr *h, size_t tsize,
			    struct err_detail *d)
{
	if (h->typecnt == 0 || h->typecnt > 256)
		return err_set(d, ERR_INVALID, "time zone %s: bad type count", z->name);
	if (h->leapcnt != 0)
		return err_set(d, ERR_INVALID, "time zone %s: leap-second files are not supported",
			       z->name);
	z->trans = calloc(h->timecnt ? h->timecnt : 1, sizeof *z->trans);
	z->idx = calloc(h->timecnt ? h->timecnt : 1, sizeof *z->idx);
	z->types = calloc(h->typecnt, sizeof *z->types);
	if (!z->trans || !z->idx || !z->types)
		return ERR_NOMEM;
	z->ntrans = (int)h->timecnt;
	z->ntypes = (int)h->typecnt;
	for (uint32_t i = 0; i < h->timecnt; i++, p += tsize) {
		z->trans[i] = tsize == 8 ? be64(p) : (int64_t)(int32_t)be32(p);
		if (i > 0 && z->trans[i] <= z->trans[i - 1])
			return err_set(d, ERR_INVALID, "time zone %s: transitions out of order",
				       z->name);
	}
	for (uint32_t i = 0; i < h->timecnt; i++, p++) {
		if (*p >= h->typecnt)
			return err_set(d, ERR_INVALID, "time zone %s: bad type index", z->name);
		z->idx[i] = *p;
	}
	for (uint32_t i = 0; i < h->typecnt; i++, p += 6) {
		int32_t off = (int32_t)be32(p);
		if (off < -OFF_MAX || off > OFF_MAX || p[4] > 1)
			return err_set(d, ERR_INVALID, "time zone %s: bad local time type", z->name);
		z->types[i].off = off;
		z->types[i].dst = p[4] == 1;
	}
	return ERR_OK;
}

/* The footer of a version 2+ file: "\n" TZ-string "\n", the string possibly empty. */
static enum err parse_footer(struct tz *z, const uint8_t *p, size_t len, struct err_detail *d)
{
	char s[256];
	const uint8_t *nl = len > 1 && p[0] == '\n' ? memchr(p + 1, '\n', len - 1) : NULL;
	size_t n = nl ? (size_t)(nl - p - 1) : 0;
	if (!nl || n >= sizeof s || memchr(p + 1, '\0', n))
		return err_set(d, ERR_INVALID, "time zone %s: bad footer", z->name);
	if (n == 0)
		return ERR_OK; /* no rule: the last type stays in effect */
	memcpy(s, p + 1, n);
	s[n] = '\0';
	if (!parse_posix(s, &z->footer))
		return err_set(d, ERR_INVALID, "time zone %s: bad footer rule", z->name);
	return ERR_OK;
}

void tz_free(struct tz *z)
{
	if (!z)
		return;
	free(z->name);
	free(z->trans);
	free(z->idx);
	free(z->types);
	free(z);
}

enum err tz_load_data(const char *name, const void *data, size_t len, struct tz **out,
		      struct err_detail *d)
{
	enum err rc = ERR_OK;
	const uint8_t *p = data;
	struct hdr h;
	size_t off = HDR_LEN, n;
	struct tz *z = calloc(1, sizeof *z);
	*out = NULL;
	if (!z || !(z->name = strdup(name ? name : ""))) {
		rc = ERR_NOMEM;
		goto out;
	}
	if (!p || !read_hdr(p, len, &h)) {
		rc = err_set(d, ERR_INVALID, "time zone %s: not a TZif file", z->name);
		goto out;
	}
	n = block_len(&h, 4);
	if (n > len - off) {
		rc = err_set(d, ERR_INVALID, "time zone %s: truncated", z->name);
		goto out;
	}
	if (h.version == 0) {
		rc = parse_block(z, p + off, &h, 4, d);
		goto out;
	}
	off += n; /* version 2+: skip the 32-bit data for the 64-bit copy */
	if (!read_hdr(p + off, len - off, &h) || h.version == 0) {
		rc = err_set(d, ERR_INVALID, "time zone %s: bad second header", z->name);
		goto out;
	}
	off += HDR_LEN;
	n = block_len(&h, 8);
	if (n > len - off) {
		rc = err_set(d, ERR_INVALID, "time zone %s: truncated", z->name);
		goto out;
	}
	rc = parse_block(z, p + off, &h, 8, d);
	if (rc != ERR_OK)
		goto out;
	off += n;
	rc = parse_footer(z, p + off, len - off, d);
out:
	if (rc != ERR_OK)
		tz_free(z);
	else
		*out = z;
	return rc;
}

static bool name_ok(const char *name)
{
	size_t n = name ? strnlen(name, NAME_MAX_LEN + 1) : 0;
	if (n == 0 || n > NAME_MAX_LEN || name[0] == '/' || strstr(name, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!is_alpha(c) && !is_digit(c) && !strchr("/_+-.", c))
			return false;
	}
	return true;
}

/* Reads a whole regular file of at most FILE_MAX bytes; the caller owns *buf. */
static enum err read_file(const char *path, uint8_t **buf, size_t *len)
{
	enum err rc = ERR_INVALID;
	struct stat st;
	uint8_t *b = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > FILE_MAX)
		goto out;
	b = malloc((size_t)st.st_size);
	if (!b) {
		rc = ERR_NOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, b + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = ERR_IO;
			goto out;
		}
		got += (size_t)r;
	}
	rc = ERR_OK;
out:
	if (fd >= 0)
		close(fd);
	if (rc != ERR_OK) {
		free(b);
		b = NULL;
	}
	*buf = b;
	*len = got;
	return rc;
}

enum err tz_load(const char *name, struct tz **out, struct err_detail *d)
{
	char path[sizeof TZ_DIR + NAME_MAX_LEN];
	uint8_t *buf = NULL;
	size_t len = 0;
	enum err rc;
	*out = NULL;
	if (!name_ok(name))
		return err_set(d, ERR_INVALID, "not a time zone name");
	snprintf(path, sizeof path, "%s%s", TZ_DIR, name);
	rc = read_file(path, &buf, &len);
	if (rc == ERR_INVALID)
		rc = err_set(d, ERR_INVALID, "unknown time zone %s", name);
	else if (rc != ERR_OK)
		rc = err_set(d, rc, "time zone %s: cannot read %s", name, path);
	if (rc != ERR_OK)
		goto out;
	rc = tz_load_data(name, buf, len, out, d);
out:
	free(buf);
	return rc;
}

/* ---- process-wide cache ---- */

/* Guards cache_head and the cache_next links of the zones on it. Zones are
 * immutable once on the list, so a pointer handed out stays usable without
 * the lock until tz_cache_clear. */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tz *cache_head; /* guarded by cache_lock */

const struct tz *tz_get(const char *name)
{
	struct tz *z;
	if (!name_ok(name))
		return NULL;
	pthread_mutex_lock(&cache_lock);
	for (z = cache_head; z; z = z->cache_next)
		if (strcmp(z->name, name) == 0)
			goto out;
	/* Loading under the lock keeps one copy per zone; it happens once per zone. */
	if (tz_load(name, &z, NULL) == ERR_OK) {
		z->cache_next = cache_head;
		cache_head = z;
	}
out:
	pthread_mutex_unlock(&cache_lock);
	return z;
}

void tz_cache_clear(void)
{
	pthread_mutex_lock(&cache_lock);
	struct tz *z = cache_head;
	cache_head = NULL;
	pthread_mutex_unlock(&cache_lock);
	while (z) {
		struct tz *next = z->cache_next;
		tz_free(z);
		z = next;
	}
}
