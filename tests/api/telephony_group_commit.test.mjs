// Status callbacks of existing calls go through the group-commit writer
// (store/group_commit.h), like new inbound calls (issue 5): Twilio ends every
// call with a status callback, so at the end of a busy minute they come in
// bursts. Each is applied exactly once with its audit row, whatever arrives
// at the same time (duplicates included), and they are written by the writer
// (its counters, logged when the server stops, count them).
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from './harness.mjs';
import { postSigned } from './twilio_sign.mjs';

const TOKEN = 'group-commit-auth-token';
const TRACKING = '+14155550180';
const N = 50;
let srv;
after(() => srv?.stop());

describe('a burst of status callbacks', () => {
  test(`${N} concurrent completed callbacks for ${N} calls (some twice): each call ended with its duration, audited once`, async (t) => {
    srv = await new Server({ env: { SWITCHBOARD_TWILIO_AUTH_TOKEN: TOKEN } }).start();
    const admin = srv.token('acme', 'admin', 'admin@acme.test');
    assert.equal((await srv.req('POST', '/api/numbers', { token: admin, body: { e164: TRACKING, routingMode: 'human' } })).status, 201);
    const url = `${srv.base}/api/webhooks/telephony`;
    const sids = Array.from({ length: N }, (_, i) => `CAgc${Date.now()}${String(i).padStart(4, '0')}`);
    const post = (CallSid, i, params) => postSigned(url, TOKEN, { CallSid, AccountSid: 'ACtest', From: `+1212555${2000 + i}`,
      To: TRACKING, Direction: 'inbound', ...params });
    for (const r of await Promise.all(sids.map((s, i) => post(s, i, { CallStatus: 'ringing' })))) assert.equal(r.status, 200, r.text);

    const end = (s, i) => post(s, i, { CallStatus: 'completed', CallDuration: String(10 + i) });
    const results = await Promise.all([...sids.map(end), ...sids.slice(0, 10).map(end)]);
    for (const r of results) {
      assert.equal(r.status, 200, r.text);
      assert.equal(r.text, '<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    }

    const rows = (await srv.req('GET', `/api/calls?limit=100`, { token: admin })).json.data;
    assert.equal(rows.length, N);
    for (const [i, s] of sids.entries()) {
      const c = rows.find((row) => row.callSid === s);
      assert.equal(c.status, 'completed', s);
      assert.equal(c.durationSec, 10 + i, s);
      assert.ok(c.endedAt, s);
      assert.equal(c.disposition, 'missed', s);
      const events = (await srv.req('GET', `/api/audit/calls/${c.id}`, { token: admin })).json.events;
      assert.deepEqual(events.map((e) => e.action), ['call.created', 'call.status_changed'], s);
      assert.equal(events[1].diff.durationSec.to, 10 + i);
    }

    // Every callback went through the writer: N calls + N + 10 callbacks.
    await srv.stop();
    const stderr = srv.proc.stderr;
    if (!stderr.readableEnded) await new Promise((resolve) => stderr.once('close', resolve));
    const line = srv.logs.find((l) => l.includes('group commit:'));
    assert.ok(line, 'the writer logs its counters when it stops');
    const [, units, batches] = line.match(/(\d+) units in (\d+) batches/).map(Number);
    t.diagnostic(line);
    assert.ok(units >= 2 * N + 10, line);
    assert.ok(batches <= units, line);
    srv = null;
  });
});
