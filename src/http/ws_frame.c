/* RFC 6455 framing (see ws_frame.h). */
#include "http/ws_frame.h"

size_t ws_frame_header(uint8_t out[WS_FRAME_HEADER_MAX], enum ws_opcode op, uint64_t len)
{
	out[0] = (uint8_t)(0x80 | (op & 0x0f));
	if (len < 126) {
		out[1] = (uint8_t)len;
		return 2;
	}
	if (len <= 0xffff) {
		out[1] = 126;
		out[2] = (uint8_t)(len >> 8);
		out[3] = (uint8_t)len;
		return 4;
	}
	out[1] = 127;
	for (int i = 0; i < 8; i++)
		out[2 + i] = (uint8_t)(len >> (56 - 8 * i));
	return 10;
}

long ws_frame_parse(uint8_t *p, size_t n, size_t max_payload, struct ws_in_frame *f)
{
	if (n < 2)
		return 0;
	if (p[0] & 0x70)
		return -WS_CLOSE_PROTOCOL; /* no extension was negotiated */
	int op = p[0] & 0x0f;
	bool control = op & 0x08;
	if ((op > WS_OP_BINARY && op < WS_OP_CLOSE) || op > WS_OP_PONG)
		return -WS_CLOSE_PROTOCOL;
	if (!(p[1] & 0x80))
		return -WS_CLOSE_PROTOCOL; /* §5.1: a client masks every frame */
	uint64_t len = p[1] & 0x7f;
	size_t hl = 2;
	if (len == 126) {
		if (n < 4)
			return 0;
		len = (uint64_t)p[2] << 8 | p[3];
		hl = 4;
	} else if (len == 127) {
		if (n < 10)
			return 0;
		len = 0;
		for (int i = 0; i < 8; i++)
			len = len << 8 | p[2 + i];
		if (len >> 63)
			return -WS_CLOSE_PROTOCOL;
		hl = 10;
	}
	if (control && (!(p[0] & 0x80) || len > 125))
		return -WS_CLOSE_PROTOCOL; /* §5.5: control frames are final and short */
	if (len > max_payload)
		return -WS_CLOSE_TOO_BIG;
	if (n < hl + 4 + len)
		return 0;
	const uint8_t *mask = p + hl;
	uint8_t *pl = p + hl + 4;
	for (size_t i = 0; i < len; i++)
		pl[i] ^= mask[i & 3];
	f->op = (enum ws_opcode)op;
	f->fin = p[0] & 0x80;
	f->payload = pl;
	f->len = (size_t)len;
	return (long)(hl + 4 + len);
}

int ws_close_code(const uint8_t *payload, size_t len)
{
	if (len == 0)
		return 0;
	if (len == 1)
		return -1;
	int code = payload[0] << 8 | payload[1];
	bool ok = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) || (code >= 3000 && code <= 4999);
	return ok ? code : -1;
}
