// The realtime feed: /ws/calls delivers outbox events in order, scoped to the
// workspace and, for a Tech, to their jobs' calls; ?since= replays what a
// reconnecting client missed. Also the protocol edges of the hub's own
// RFC 6455 framing: pings, close codes, protocol errors, a slow client cut
// off while others keep up, and 1001 on shutdown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import crypto from 'node:crypto';
import WebSocket from 'ws';
import { Server, cli } from './harness.mjs';

let srv;
let owner, other, techToken, techCall, foreignCall, calls;

function connect(token, query = '') {
  const url = `ws://127.0.0.1:${srv.port}/ws/calls?${token ? 'token=' + token : ''}${query}`;
  const ws = new WebSocket(url);
  ws.events = [];
  ws.waiters = [];
  ws.on('message', (m) => {
    const e = JSON.parse(m.toString());
    ws.events.push(e);
    for (const w of [...ws.waiters]) if (w.pred(e)) { ws.waiters.splice(ws.waiters.indexOf(w), 1); w.resolve(e); }
  });
  ws.opened = new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); ws.on('unexpected-response', (req, res) => reject(new Error(`HTTP ${res.statusCode}`))); });
  ws.next = (pred, ms = 3000) => {
    const seen = ws.events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve };
      ws.waiters.push(w);
      setTimeout(() => reject(new Error('no matching event in time; got ' + JSON.stringify(ws.events.map((e) => e.type)))), ms);
    });
  };
  return ws;
}

before(async () => {
  srv = new Server();
  assert.equal(cli(['seed', '--calls', '200', '--workspace', 'acme', '--seed', '11'], { dataDir: srv.dataDir }).status, 0);
  await srv.start();
  owner = srv.token('acme', 'owner', 'owner@acme.test');
  other = srv.token('other', 'owner', 'owner@other.test');
  calls = (await srv.req('GET', '/api/calls?limit=100&spam=true', { token: owner })).json.data;
  const users = (await srv.req('GET', '/api/users', { token: owner })).json.users;
  const withJob = calls.filter((c) => c.job && c.job.techIds.length);
  techCall = withJob[0];
  const tech = users.find((u) => u.id === techCall.job.techIds[0]);
  techToken = srv.token('acme', 'tech', tech.email);
  foreignCall = calls.find((c) => !c.job || !c.job.techIds.includes(tech.id));
});
after(() => srv.stop());

test('handshake needs a credential; a bad one is 401', async () => {
  const bad = connect('sbt_nope');
  await assert.rejects(bad.opened, /401/);
  const none = connect(null);
  await assert.rejects(none.opened, /401/);
  const plain = await srv.req('GET', '/ws/calls', { token: owner });
  assert.equal(plain.status, 400); // not a WebSocket handshake
});

test('call_updated arrives in order, scoped to the workspace and the tech', async () => {
  const ws = connect(owner);
  const tws = connect(techToken);
  const ows = connect(other);
  await Promise.all([ws.opened, tws.opened, ows.opened]);
  const a = calls[0], b = calls[1];
  await srv.req('PATCH', `/api/calls/${a.id}`, { token: owner, body: { notes: 'first' } });
  await srv.req('PATCH', `/api/calls/${b.id}`, { token: owner, body: { notes: 'second' } });
  await srv.req('PATCH', `/api/calls/${techCall.id}`, { token: owner, body: { notes: 'for the tech' } });
  await srv.req('PATCH', `/api/calls/${foreignCall.id}`, { token: owner, body: { notes: 'not for the tech' } });
  const e1 = await ws.next((e) => e.data.callId === a.id);
  const e2 = await ws.next((e) => e.data.callId === b.id);
  assert.equal(e1.type, 'call_updated');
  assert.ok(e1.id < e2.id, 'numbered in commit order');
  assert.ok(Date.parse(e1.at) > 0);
  assert.deepEqual(e1.data.changes.notes, { from: a.notes, to: 'first' });
  const t = await tws.next((e) => e.data.callId === techCall.id);
  assert.equal(t.type, 'call_updated');
  await ws.next((e) => e.data.callId === foreignCall.id);
  await new Promise((r) => setTimeout(r, 150));
  assert.ok(!tws.events.some((e) => e.data.callId === foreignCall.id), 'tech does not see other calls');
  assert.deepEqual(ows.events, [], 'another workspace sees nothing');
  for (const s of [ws, tws, ows]) s.close();
});

test('reconnecting with since replays exactly what was missed', async () => {
  const ws = connect(owner);
  await ws.opened;
  await srv.req('PATCH', `/api/calls/${calls[2].id}`, { token: owner, body: { notes: 'before drop' } });
  const last = await ws.next((e) => e.data.callId === calls[2].id);
  ws.close();
  const missed = [];
  for (let i = 3; i < 8; i++) {
    await srv.req('PATCH', `/api/calls/${calls[i].id}`, { token: owner, body: { notes: `while away ${i}` } });
    missed.push(calls[i].id);
  }
  const again = connect(owner, `&since=${last.id}`);
  await again.opened;
  for (const id of missed) await again.next((e) => e.data.callId === id);
  const ids = again.events.map((e) => e.id);
  assert.deepEqual(ids, [...ids].sort((x, y) => x - y), 'in order');
  assert.equal(new Set(ids).size, ids.length, 'no duplicates');
  assert.ok(ids.every((i) => i > last.id));
  assert.deepEqual(again.events.slice(0, 5).map((e) => e.data.callId), missed);
  // live events keep flowing after the replay
  await srv.req('PATCH', `/api/calls/${calls[9].id}`, { token: owner, body: { notes: 'live' } });
  await again.next((e) => e.data.callId === calls[9].id);
  again.close();
});

test('bad since is 400; the server stays healthy after abrupt disconnects', async () => {
  const bad = connect(owner, '&since=-3');
  await assert.rejects(bad.opened, /400/);
  for (let i = 0; i < 20; i++) {
    const ws = connect(owner);
    await ws.opened;
    ws.terminate();
  }
  assert.ok(await srv.healthy());
});

test('a long replay (1,500 missed events) arrives whole, in order', async () => {
  const first = connect(owner);
  await first.opened;
  await srv.req('PATCH', `/api/calls/${calls[10].id}`, { token: owner, body: { notes: 'mark' } });
  const mark = await first.next((e) => e.data.callId === calls[10].id);
  first.close();
  const N = 1500;
  for (let i = 0; i < N; i++) {
    const r = await srv.req('PATCH', `/api/calls/${calls[11 + (i % 50)].id}`, { token: owner, body: { notes: `bulk ${i}` } });
    assert.equal(r.status, 200);
  }
  const again = connect(owner, `&since=${mark.id}`);
  await again.opened;
  await again.next((e) => e.data.changes?.notes?.to === `bulk ${N - 1}`, 10000);
  const ids = again.events.map((e) => e.id);
  assert.equal(ids.length, N);
  assert.deepEqual(ids, [...ids].sort((x, y) => x - y));
  again.close();
});

// A raw client (no library): handshake by hand, then frames as bytes.
async function rawConnect(token) {
  const sock = net.connect(srv.port, '127.0.0.1');
  await new Promise((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
  const key = crypto.randomBytes(16).toString('base64');
  sock.write(`GET /ws/calls?token=${token} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  let buf = Buffer.alloc(0);
  sock.ended = new Promise((resolve) => sock.on('close', resolve));
  await new Promise((resolve, reject) => {
    const onData = (d) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      sock.off('data', onData);
      const head = buf.subarray(0, end).toString();
      if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(head));
      sock.rest = buf.subarray(end + 4);
      resolve();
    };
    sock.on('data', onData);
  });
  sock.frames = []; // { op, payload }
  let pending = sock.rest;
  const parse = () => {
    for (;;) {
      if (pending.length < 2) return;
      let len = pending[1] & 0x7f, off = 2;
      if (len === 126) { if (pending.length < 4) return; len = pending.readUInt16BE(2); off = 4; }
      else if (len === 127) { if (pending.length < 10) return; len = Number(pending.readBigUInt64BE(2)); off = 10; }
      if (pending.length < off + len) return;
      sock.frames.push({ op: pending[0] & 0x0f, payload: pending.subarray(off, off + len) });
      pending = pending.subarray(off + len);
    }
  };
  sock.on('data', (d) => { pending = Buffer.concat([pending, d]); parse(); });
  parse();
  return sock;
}

function masked(op, payload, { mask = true } = {}) {
  const p = Buffer.from(payload);
  const hdr = p.length < 126 ? Buffer.from([0x80 | op, (mask ? 0x80 : 0) | p.length])
    : Buffer.from([0x80 | op, (mask ? 0x80 : 0) | 126, p.length >> 8, p.length & 0xff]);
  if (!mask) return Buffer.concat([hdr, p]);
  const m = crypto.randomBytes(4);
  return Buffer.concat([hdr, m, Buffer.from(p.map((b, i) => b ^ m[i & 3]))]);
}

async function until(pred, ms = 5000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return pred();
}

test('a client ping gets a pong with the same payload; a close gets its code echoed', async () => {
  const ws = connect(owner);
  await ws.opened;
  const pong = new Promise((resolve) => ws.once('pong', (d) => resolve(d.toString())));
  ws.ping('are you there');
  assert.equal(await pong, 'are you there');
  const closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
  ws.close(4001, 'done here');
  assert.equal(await closed, 4001);
});

test('protocol errors close with 1002 (unmasked frame) and 1009 (frame over 4 KB)', async () => {
  const raw = await rawConnect(owner);
  raw.write(masked(0x1, 'not masked', { mask: false }));
  await raw.ended;
  const close = raw.frames.find((f) => f.op === 0x8);
  assert.ok(close, 'a close frame came before the end');
  assert.equal(close.payload.readUInt16BE(0), 1002);

  const ws = connect(owner);
  await ws.opened;
  const closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
  ws.send('x'.repeat(5000));
  assert.equal(await closed, 1009);

  // a frame split across many writes is put together (a ping, byte by byte)
  const slow = await rawConnect(owner);
  const ping = masked(0x9, 'piecewise');
  for (const b of ping) { slow.write(Buffer.from([b])); await new Promise((r) => setTimeout(r, 2)); }
  assert.ok(await until(() => slow.frames.some((f) => f.op === 0xA && f.payload.toString() === 'piecewise')));
  slow.write(masked(0x8, Buffer.from([0x03, 0xe8])));
  await slow.ended;
  assert.equal(slow.frames.find((f) => f.op === 0x8).payload.readUInt16BE(0), 1000);
  assert.ok(await srv.healthy());
});

test('since replay for a tech holds only their calls, then live events follow', async () => {
  const probe = connect(owner);
  await probe.opened;
  await srv.req('PATCH', `/api/calls/${foreignCall.id}`, { token: owner, body: { notes: 'replay mark' } });
  const mark = await probe.next((e) => e.data.changes?.notes?.to === 'replay mark');
  await srv.req('PATCH', `/api/calls/${foreignCall.id}`, { token: owner, body: { notes: 'not yours' } });
  await srv.req('PATCH', `/api/calls/${techCall.id}`, { token: owner, body: { notes: 'yours, missed' } });
  await probe.next((e) => e.data.changes?.notes?.to === 'yours, missed');
  const tws = connect(techToken, `&since=${mark.id}`);
  await tws.opened;
  await tws.next((e) => e.data.changes?.notes?.to === 'yours, missed');
  await srv.req('PATCH', `/api/calls/${techCall.id}`, { token: owner, body: { notes: 'yours, live' } });
  await tws.next((e) => e.data.changes?.notes?.to === 'yours, live');
  assert.ok(tws.events.every((e) => e.data.callId === techCall.id), 'only the tech\'s call');
  assert.deepEqual(tws.events.map((e) => e.data.changes.notes.to), ['yours, missed', 'yours, live']);
  tws.close();
  probe.close();
});

test('a client that stops reading is cut off; the others get every event', async () => {
  const slow = await rawConnect(owner);
  slow.pause(); // reads nothing from now on: the kernel buffers fill, then the hub's queue
  const fast = connect(owner);
  await fast.opened;
  const N = 120, big = 'y'.repeat(9000);
  for (let i = 0; i < N; i++) {
    const r = await srv.req('PATCH', `/api/calls/${calls[20 + (i % 10)].id}`, { token: owner, body: { notes: `${big} ${i}` } });
    assert.equal(r.status, 200);
  }
  await fast.next((e) => e.data.changes?.notes?.to === `${big} ${N - 1}`, 10000);
  const seen = fast.events.filter((e) => e.data.changes?.notes?.to?.startsWith(big));
  assert.equal(seen.length, N, 'the reading client got all of them');
  // the slow one was cut off: once it reads again it gets what the kernel held, then the end
  slow.resume();
  const ended = await Promise.race([slow.ended.then(() => true), new Promise((r) => setTimeout(() => r(false), 10000))]);
  assert.ok(ended, 'the server closed the slow socket');
  const got = slow.frames.filter((f) => f.op === 0x1).length;
  assert.ok(got < N, `the slow client did not get everything (${got} of ${N})`);
  fast.close();
  assert.ok(await srv.healthy());
});

// Last: it stops the server.
test('shutdown closes every socket with 1001', async () => {
  const a = connect(owner), b = connect(techToken);
  await Promise.all([a.opened, b.opened]);
  const codes = Promise.all([a, b].map((s) => new Promise((resolve) => s.once('close', (code) => resolve(code)))));
  await srv.stop({ keepData: true });
  assert.deepEqual(await codes, [1001, 1001]);
});
