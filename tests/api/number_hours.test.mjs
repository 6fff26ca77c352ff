// A tracking number's own business hours (issue 5): `hours` on POST/PATCH
// /api/numbers takes exactly the workspace's business-hours format and is
// validated by the same rules (errors named hours.<field>, nothing written),
// and an inbound call to the number is after hours by the number's own hours
// when it has them, by the workspace's otherwise.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Server, expectProblem } from './harness.mjs';
import { postSigned } from './twilio_sign.mjs';

const TOKEN = 'number-hours-auth-token';
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const OPEN = { timeZone: 'UTC', days: Object.fromEntries(DAYS.map((d) => [d, [{ open: '00:00', close: '24:00' }]])) };
const CLOSED = { timeZone: 'America/Chicago', days: {} };
const FORWARD = '+14155550199';

let srv, admin;
let seq = 0;
const sid = () => `CAnh${Date.now()}${String(++seq).padStart(5, '0')}`;

before(async () => {
  srv = await new Server({ env: { SWITCHBOARD_TWILIO_AUTH_TOKEN: TOKEN } }).start();
  admin = srv.token('acme', 'admin', 'admin@acme.test');
});
after(() => srv.stop());

const workspaceHours = (body) => srv.req('POST', '/api/settings/business-hours', { token: admin, body });
const createNumber = (body) => srv.req('POST', '/api/numbers', { token: admin, body });
const patchNumber = (id, body) => srv.req('PATCH', `/api/numbers/${id}`, { token: admin, body });
// An inbound call to `to`: the TwiML answer and the call it created.
async function ring(to, from) {
  const CallSid = sid();
  const r = await postSigned(`${srv.base}/api/webhooks/telephony`, TOKEN,
    { CallSid, AccountSid: 'ACtest', From: from, To: to, CallStatus: 'ringing', Direction: 'inbound' });
  assert.equal(r.status, 200, r.text);
  const list = await srv.req('GET', '/api/calls?limit=100', { token: admin });
  return { twiml: r.text, call: list.json.data.find((c) => c.callSid === CallSid) };
}
const VOICEMAIL = /<Response><Say>[^<]+<\/Say><Record /;
const DIAL = new RegExp(`<Response><Dial action="[^"]+" method="POST">\\${FORWARD}</Dial></Response>$`);

describe('validation: the workspace business-hours format and rules', () => {
  // Each: hours that the workspace settings refuse on `field`; a number refuses them on hours.<field>.
  const invalid = [
    [{ days: {} }, 'timeZone'],
    [{ timeZone: 'Mars/Olympus', days: {} }, 'timeZone'],
    [{ timeZone: 'UTC' }, 'days'],
    [{ timeZone: 'UTC', days: { funday: [] } }, 'days'],
    [{ timeZone: 'UTC', days: { mon: [{ open: '9am', close: '17:00' }] } }, 'days.mon'],
    [{ timeZone: 'UTC', days: { mon: [{ open: '08:00', close: '25:00' }] } }, 'days.mon'],
    [{ timeZone: 'UTC', days: { mon: [{ open: '08:00', close: '12:00' }, { open: '11:00', close: '17:00' }] } }, 'days'],
    [{ timeZone: 'UTC', days: {}, holidays: ['25/12/2026'] }, 'holidays'],
    [{ timeZone: 'UTC', days: {}, holidays: ['2026-12-25', '2026-01-01'] }, 'holidays'],
    [{ timeZone: 'UTC', days: {}, colour: 'red' }, 'colour'],
  ];

  test('what the workspace settings refuse, a number refuses, naming hours.<field>', async () => {
    const n = await createNumber({ e164: '+14155550160', hours: OPEN });
    assert.equal(n.status, 201, n.text);
    for (const [hours, field] of invalid) {
      const ws = await workspaceHours(hours);
      expectProblem(assert, ws, 400);
      assert.ok(ws.json.errors.some((e) => e.field.startsWith(field)), `workspace ${field}: ${ws.text}`);
      for (const r of [await createNumber({ e164: '+14155550161', hours }), await patchNumber(n.json.number.id, { hours })]) {
        expectProblem(assert, r, 400);
        assert.ok(r.json.errors.some((e) => e.field.startsWith(`hours.${field}`)), `number hours.${field}: ${r.text}`);
      }
    }
    // Nothing was written: no second number, the first keeps its hours.
    const list = (await srv.req('GET', '/api/numbers', { token: admin })).json.data;
    assert.deepEqual(list.map((x) => x.e164), ['+14155550160']);
    assert.deepEqual(list[0].hours.days.mon, [{ open: '00:00', close: '24:00' }]);
  });

  test('hours must be that object or null: a string or a number is refused', async () => {
    for (const hours of ['Mon-Fri 8-5', 5, [], true]) {
      const r = await createNumber({ e164: '+14155550162', hours });
      expectProblem(assert, r, 400);
      assert.ok(r.json.errors.some((e) => e.field === 'hours'), r.text);
    }
  });

  test('valid hours come back in the settings\' shape; null clears them', async () => {
    const hours = { timeZone: 'America/Chicago', days: { mon: [{ open: '22:00', close: '06:00' }], sat: [{ open: '09:00', close: '12:00' }] },
      holidays: ['2026-12-25'] };
    const r = await createNumber({ e164: '+14155550163', hours });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json.number.hours, { timeZone: 'America/Chicago',
      days: { ...Object.fromEntries(DAYS.map((d) => [d, []])), ...hours.days }, holidays: ['2026-12-25'] });
    const audit = await srv.req('PATCH', `/api/numbers/${r.json.number.id}`, { token: admin, body: { hours: null } });
    assert.equal(audit.status, 200, audit.text);
    assert.equal(audit.json.number.hours, null);
  });
});

describe('routing: the number\'s own hours decide after hours, else the workspace\'s', () => {
  let own, plain;
  before(async () => {
    const a = await createNumber({ e164: '+14155550170', routingMode: 'human', forwardTo: FORWARD, afterHours: 'vm', hours: CLOSED });
    const b = await createNumber({ e164: '+14155550171', routingMode: 'human', forwardTo: FORWARD, afterHours: 'vm' });
    assert.equal(a.status, 201, a.text);
    assert.equal(b.status, 201, b.text);
    own = a.json.number;
    plain = b.json.number;
  });

  test('closed by its own hours while the workspace is open: its afterHours answer', async () => {
    assert.equal((await workspaceHours(OPEN)).status, 200);
    const closed = await ring(own.e164, '+12125550170');
    assert.match(closed.twiml, VOICEMAIL, 'after hours: voicemail');
    assert.equal(closed.call.afterHours, true);
    const open = await ring(plain.e164, '+12125550171');
    assert.match(open.twiml, DIAL, 'a number without hours of its own follows the open workspace');
    assert.equal(open.call.afterHours, false);
  });

  test('open by its own hours while the workspace is closed: its routingMode answer', async () => {
    assert.equal((await workspaceHours({ timeZone: 'UTC', days: {} })).status, 200);
    try {
      assert.equal((await patchNumber(own.id, { hours: OPEN })).status, 200);
      const open = await ring(own.e164, '+12125550172');
      assert.match(open.twiml, DIAL);
      assert.equal(open.call.afterHours, false);
      const closed = await ring(plain.e164, '+12125550173');
      assert.match(closed.twiml, VOICEMAIL);
      assert.equal(closed.call.afterHours, true);
      // Cleared: the closed workspace decides again.
      assert.equal((await patchNumber(own.id, { hours: null })).status, 200);
      const back = await ring(own.e164, '+12125550174');
      assert.match(back.twiml, VOICEMAIL);
      assert.equal(back.call.afterHours, true);
    } finally {
      await workspaceHours(OPEN);
    }
  });
});
