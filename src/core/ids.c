/* UUIDv7: 48-bit ms timestamp | ver 7 | 12-bit sequence | variant | 62 random bits.
 * The 12 bits after the version are a per-process counter within one
 * millisecond (RFC 9562 §6.2 method 1), guarded by a lock. */
#include "core/ids.h"

#include <pthread.h>
#include <string.h>
#include <sys/random.h>

#include "core/clock.h"

static pthread_mutex_t seq_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t seq_ms = -1; /* guarded by seq_lock */
static unsigned seq;        /* guarded by seq_lock */

static void fill_random(unsigned char *p, size_t n)
{
	while (n) {
		ssize_t r = getrandom(p, n, 0);
		if (r > 0) {
			p += r;
			n -= (size_t)r;
		}
	}
}

void id_new_at(char out[ID_SIZE], int64_t ms)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	fill_random(b + 8, 8);
	pthread_mutex_lock(&seq_lock);
	if (ms > seq_ms) {
		seq_ms = ms;
		seq = ((unsigned)b[8] << 4 | b[9] >> 4) & 0x3ff; /* random start, room to count */
	} else {
		ms = seq_ms; /* clock went back or same ms: stay monotonic */
		if (++seq > 0xfff) {
			seq_ms = ++ms;
			seq = 0;
		}
	}
	unsigned s = seq;
	pthread_mutex_unlock(&seq_lock);
	for (int i = 0; i < 6; i++)
		b[i] = (unsigned char)((uint64_t)ms >> (40 - 8 * i));
	b[6] = (unsigned char)(0x70 | (s >> 8));
	b[7] = (unsigned char)(s & 0xff);
	b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));
	char *o = out;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		*o++ = hex[b[i] >> 4];
		*o++ = hex[b[i] & 15];
	}
	*o = 0;
}

void id_new(char out[ID_SIZE])
{
	id_new_at(out, clock_real_ms());
}

bool id_valid(const char *s)
{
	if (!s || strlen(s) != ID_LEN)
		return false;
	for (int i = 0; i < ID_LEN; i++) {
		char c = s[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return false;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			return false;
		}
	}
	return true;
}

int64_t id_time_ms(const char *s)
{
	if (!id_valid(s) || s[14] != '7')
		return -1;
	int64_t ms = 0;
	for (int i = 0; i < 13; i++) {
		if (i == 8)
			continue;
		char c = s[i];
		ms = ms * 16 + (c <= '9' ? c - '0' : c - 'a' + 10);
	}
	return ms;
}
