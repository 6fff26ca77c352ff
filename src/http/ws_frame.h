/* RFC 6455 framing for the WebSocket hub, pure (no I/O): the header of an
 * unmasked server frame, and a parser for the masked frames a client sends.
 * The hub encodes each event once and shares the bytes among sockets, and a
 * socket keeps no framing state of its own between reads beyond the bytes of
 * an incomplete frame. */
#ifndef SB_HTTP_WS_FRAME_H
#define SB_HTTP_WS_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ws_opcode {
	WS_OP_CONT = 0x0,
	WS_OP_TEXT = 0x1,
	WS_OP_BINARY = 0x2,
	WS_OP_CLOSE = 0x8,
	WS_OP_PING = 0x9,
	WS_OP_PONG = 0xA,
};

/* Close codes the hub sends (RFC 6455 §7.4.1). */
enum {
	WS_CLOSE_NORMAL = 1000,
	WS_CLOSE_GOING_AWAY = 1001,
	WS_CLOSE_PROTOCOL = 1002,
	WS_CLOSE_POLICY = 1008,
	WS_CLOSE_TOO_BIG = 1009,
};

#define WS_FRAME_HEADER_MAX 10
#define WS_CLIENT_HEADER_MAX 14

/* Writes the header of a final, unmasked frame carrying len payload bytes;
 * returns its length (2, 4 or 10). */
size_t ws_frame_header(uint8_t out[WS_FRAME_HEADER_MAX], enum ws_opcode op, uint64_t len);

struct ws_in_frame {
	enum ws_opcode op;
	bool fin;
	uint8_t *payload; /* inside the parsed buffer, unmasked in place */
	size_t len;
};

/* Parses one client frame from p[0..n). Returns the bytes it took (> 0) and
 * fills *f, unmasking the payload in place; 0 when p holds no whole frame
 * yet; or minus the close code to fail the connection with: 1002 for an
 * unmasked frame, reserved bits or opcodes, or a fragmented/oversized control
 * frame; 1009 for a data frame over max_payload bytes. */
long ws_frame_parse(uint8_t *p, size_t n, size_t max_payload, struct ws_in_frame *f);

/* The status code of a received close payload: 0 when it carries none (an
 * empty payload), -1 when it is malformed (1 byte, or a code no endpoint may
 * send, RFC 6455 §7.4). */
int ws_close_code(const uint8_t *payload, size_t len);

#endif
