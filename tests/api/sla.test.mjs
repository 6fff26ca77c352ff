// SLA: business hours and rules settings, the follow-up a missed call gets,
// follow_up_due and sla_breach over the WebSocket as the (test) clock moves,
// once each across a restart, the e-mail alert, and the notification counts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { Server, cli, expectProblem } from './harness.mjs';

const ENV = { SWITCHBOARD_TEST_HOOKS: 'true', SWITCHBOARD_SCHEDULER_MS: '50', SWITCHBOARD_ALERT_EMAIL: 'ops@acme.test' };
let srv, owner, dispatcher, calls;

function feed(token, since) {
  const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/ws/calls?token=${token}${since !== undefined ? '&since=' + since : ''}`);
  ws.events = [];
  ws.on('message', (m) => ws.events.push(JSON.parse(m.toString())));
  ws.opened = new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
  ws.until = async (pred, ms = 4000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const e = ws.events.find(pred);
      if (e) return e;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('no matching event; got ' + JSON.stringify(ws.events.map((e) => e.type)));
  };
  return ws;
}

const advance = (ms) => srv.req('POST', '/api/test/clock', { token: owner, body: { advanceMs: ms } });

before(async () => {
  srv = new Server({ env: ENV });
  assert.equal(cli(['seed', '--calls', '120', '--workspace', 'acme', '--seed', '5'], { dataDir: srv.dataDir }).status, 0);
  await srv.start();
  owner = srv.token('acme', 'owner', 'owner@acme.test');
  dispatcher = srv.token('acme', 'dispatcher', 'dispatcher@acme.test');
  calls = (await srv.req('GET', '/api/calls?limit=100', { token: owner })).json.data;
});
after(() => srv.stop());

test('business hours: defaults, validation, save, roles', async () => {
  const def = await srv.req('GET', '/api/settings/business-hours', { token: owner });
  assert.equal(def.status, 200);
  assert.equal(def.json.isDefault, true);
  assert.deepEqual(def.json.days.mon, [{ open: '08:00', close: '17:00' }]);
  expectProblem(assert, await srv.req('GET', '/api/settings/business-hours', { token: dispatcher }), 403);
  for (const [body, field] of [
    [{ timeZone: 'Mars/Olympus', days: {} }, 'timeZone'],
    [{ timeZone: 'UTC', days: { funday: [] } }, 'days'],
    [{ timeZone: 'UTC', days: { mon: [{ open: '9am', close: '17:00' }] } }, 'days.mon'],
    [{ timeZone: 'UTC', days: {}, holidays: ['25/12/2026'] }, 'holidays'],
  ]) {
    const r = await srv.req('POST', '/api/settings/business-hours', { token: owner, body });
    expectProblem(assert, r, 400);
    assert.ok(r.json.errors.some((e) => e.field.startsWith(field)), `${field}: ${r.text}`);
  }
  const all = Object.fromEntries(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d) => [d, [{ open: '00:00', close: '24:00' }]]));
  const weekdays = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ open: '08:00', close: '12:00' }, { open: '13:00', close: '17:00' }]]));
  const overlap = await srv.req('POST', '/api/settings/business-hours', { token: owner,
    body: { timeZone: 'UTC', days: { mon: [{ open: '08:00', close: '12:00' }, { open: '11:00', close: '17:00' }] } } });
  expectProblem(assert, overlap, 400);
  const ok = await srv.req('POST', '/api/settings/business-hours', { token: owner,
    body: { timeZone: 'America/Chicago', days: { ...weekdays, sun: [{ open: '22:00', close: '06:00' }] }, holidays: ['2026-12-25'] } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.timeZone, 'America/Chicago');
  assert.deepEqual(ok.json.days.sun, [{ open: '22:00', close: '06:00' }]);
  assert.deepEqual(ok.json.holidays, ['2026-12-25']);
  // back to always open in UTC for the clock tests below
  const utc = await srv.req('POST', '/api/settings/business-hours', { token: owner, body: { timeZone: 'UTC', days: all } });
  assert.equal(utc.status, 200, utc.text);
  assert.equal(utc.json.openNow, true);
});

test('sla rules: defaults, validation, replace', async () => {
  const def = await srv.req('GET', '/api/settings/sla-rules', { token: owner });
  assert.equal(def.json.isDefault, true);
  assert.ok(def.json.rules.some((r) => r.trigger === 'missed' && r.minutes === 15));
  for (const body of [{ rules: [{ trigger: 'sometimes', minutes: 5 }] }, { rules: [{ trigger: 'missed', minutes: 0 }] },
    { rules: [{ trigger: 'missed', minutes: 10, warnMinutes: 10 }] }, { rules: [{ trigger: 'missed', minutes: 5 }, { trigger: 'missed', minutes: 6 }] }]) {
    expectProblem(assert, await srv.req('POST', '/api/settings/sla-rules', { token: owner, body }), 400);
  }
  const r = await srv.req('POST', '/api/settings/sla-rules', { token: owner,
    body: { rules: [{ trigger: 'missed', minutes: 15, warnMinutes: 5, clock: 'business', priority: 'high' },
      { trigger: 'voicemail', minutes: 60, warnMinutes: 10, clock: 'wall' }] } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.isDefault, false);
  assert.equal(r.json.rules.length, 2);
});

test('a missed call gets its follow-up; due then breach arrive once each, across a restart', async () => {
  const call = calls.find((c) => !c.disposition && !c.spam && c.status !== 'voicemail')
    ?? calls.find((c) => c.disposition !== 'missed' && !c.spam && c.status !== 'voicemail');
  const ws = feed(owner);
  await ws.opened;
  const patched = await srv.req('PATCH', `/api/calls/${call.id}`, { token: dispatcher, body: { disposition: 'missed' } });
  assert.equal(patched.status, 200, patched.text);
  const fu = patched.json.call.followUpTasks.find((f) => f.note && f.note.startsWith('SLA'));
  assert.ok(fu, 'the SLA follow-up is on the call');
  const due = Date.parse(fu.dueAt);
  const outcome = Date.parse(patched.json.call.outcomeAt);
  assert.ok(Math.abs(due - outcome - 15 * 60000) < 2000, `due 15 minutes after the outcome (always open): ${fu.dueAt} vs ${patched.json.call.outcomeAt}, ${JSON.stringify(patched.json.call.followUpTasks)}`);
  assert.equal(fu.priority, 'high');
  const before = await srv.req('GET', '/api/notifications/follow-ups', { token: owner });
  assert.equal(before.status, 200);

  await advance(11 * 60000);
  const d = await ws.until((e) => e.type === 'follow_up_due' && e.data.followUpId === fu.id);
  assert.equal(d.data.callId, call.id);
  const soon = await srv.req('GET', '/api/notifications/follow-ups', { token: owner });
  assert.ok(soon.json.dueSoonCount >= 1);

  await advance(5 * 60000);
  const b = await ws.until((e) => e.type === 'sla_breach' && e.data.followUpId === fu.id);
  assert.ok(b.id > d.id, 'in order');
  const late = await srv.req('GET', '/api/notifications/follow-ups', { token: owner });
  assert.ok(late.json.overdueCount >= 1);

  // the e-mail alert lands in the outbox
  const outbox = path.join(srv.dataDir, 'outbox');
  let mail;
  for (let i = 0; i < 100 && !mail; i++) {
    if (existsSync(outbox)) mail = readdirSync(outbox).map((f) => readFileSync(path.join(outbox, f), 'utf8')).find((t) => t.includes(fu.id));
    if (!mail) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(mail, 'breach e-mail written');
  assert.match(mail, /^To: ops@acme\.test\r$/m);
  assert.match(mail, /^Subject: SLA breached/m);
  ws.close();

  // restart: the notices are not repeated
  const last = b.id;
  await srv.stop({ keepData: true });
  srv = new Server({ env: ENV, dataDir: srv.dataDir });
  await srv.start();
  await srv.req('POST', '/api/test/clock', { token: owner, body: { offsetMs: 20 * 60000 } });
  const again = feed(owner, last);
  await again.opened;
  await new Promise((r) => setTimeout(r, 400));
  assert.ok(!again.events.some((e) => e.data.followUpId === fu.id), 'no notice twice');
  // completing the follow-up stops the clock
  const done = await srv.req('PATCH', `/api/followups/${fu.id}`, { token: dispatcher, body: { status: 'done' } });
  assert.equal(done.status, 200, done.text);
  again.close();
});

test('the test clock is off unless enabled', async () => {
  const plain = await new Server().start();
  const t = plain.token('ws1', 'owner');
  expectProblem(assert, await plain.req('POST', '/api/test/clock', { token: t, body: { advanceMs: 1 } }), 404);
  await plain.stop();
});
