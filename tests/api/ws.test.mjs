// The realtime feed: /ws/calls delivers outbox events in order, scoped to the
// workspace and, for a Tech, to their jobs' calls; ?since= replays what a
// reconnecting client missed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
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
