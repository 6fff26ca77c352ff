// Click-to-call and live leg status, through both telephony providers:
// the built-in simulator (which posts its own signed status callbacks) and the
// Twilio REST client pointed at a local stand-in (twilio_standin.mjs) that
// speaks Twilio's Calls API and posts signed callbacks the same way. Leg
// states are observed only through GET /api/calls/:id/call-status/:callSid,
// which is driven by those callbacks (POST /api/webhooks/telephony).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { Server, cli, expectProblem } from './harness.mjs';
import { TwilioStandin } from './twilio_standin.mjs';

const RING_MS = 400;
const TALK_MS = 800;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const customerOf = (c) => (c.direction === 'out' ? c.toE164 : c.fromE164);
const trackingOf = (c) => (c.direction === 'out' ? c.fromE164 : c.toE164);
const E164 = /^\+[1-9]\d{7,14}$/;

// One server (and, for twilio, one stand-in) with seeded calls and helpers.
async function setup(provider, extraEnv = {}) {
  const ctx = { provider, phones: 0 };
  const authToken = randomBytes(16).toString('hex');
  const accountSid = 'AC' + randomBytes(16).toString('hex');
  const env = {
    SWITCHBOARD_TELEPHONY: provider, SWITCHBOARD_TWILIO_AUTH_TOKEN: authToken,
    SWITCHBOARD_SIM_RING_MS: String(RING_MS), SWITCHBOARD_SIM_TALK_MS: String(TALK_MS),
    SWITCHBOARD_TEST_HOOKS: 'true', ...extraEnv,
  };
  if (provider === 'twilio') {
    ctx.standin = await new TwilioStandin({ accountSid, authToken, ringMs: RING_MS, talkMs: TALK_MS }).start();
    Object.assign(env, { SWITCHBOARD_TWILIO_ACCOUNT_SID: accountSid, SWITCHBOARD_TWILIO_BASE_URL: ctx.standin.base });
  }
  helpers(ctx);
  ctx.srv = new Server({ env });
  const r = cli(['seed', '--calls', '200', '--workspace', 'acme', '--seed', '11'], { dataDir: ctx.srv.dataDir });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(cli(['seed', '--calls', '10', '--workspace', 'other', '--seed', '12'], { dataDir: ctx.srv.dataDir }).status, 0);
  await ctx.srv.start();
  ctx.owner = await ctx.user('owner', 'owner@acme.test');
  // The compliance gate keeps quiet hours in each customer's zone: dial on the
  // nearest Wednesday at 19:00 UTC, when every US state's window is open.
  const wed = new Date();
  wed.setUTCHours(19, 0, 0, 0);
  wed.setUTCDate(wed.getUTCDate() + (((3 - wed.getUTCDay() + 7) % 7 + 3) % 7) - 3);
  const clk = await ctx.srv.req('POST', '/api/test/clock', { token: ctx.owner.token, body: { offsetMs: wed.getTime() - Date.now() } });
  assert.equal(clk.status, 200, clk.text);
  return ctx;
}

// A user of role with a fresh phone number of their own (or with `phone`, or none when null).
function helpers(ctx) {
  ctx.user = async (role, email, phone) => {
    const token = ctx.srv.token('acme', role, email ?? `${role}-${randomBytes(4).toString('hex')}@acme.test`);
    if (phone !== null) {
      const n = phone ?? `+1415555${String(3000 + ctx.phones++).padStart(4, '0')}`;
      const p = await ctx.srv.req('PATCH', '/api/me', { token, body: { phone: n } });
      assert.equal(p.status, 200, p.text);
      return { token, phone: n };
    }
    return { token, phone: null };
  };
  ctx.click = (who, callId, body, headers = {}) =>
    ctx.srv.req('POST', `/api/calls/${callId}/click-to-call`, { token: who.token, body, headers });
  ctx.status = (who, callId, sid) => ctx.srv.req('GET', `/api/calls/${callId}/call-status/${sid}`, { token: who.token });
  // Polls call-status until `until` holds (or ms pass); returns the distinct statuses seen, in order, and the last body.
  ctx.watch = async (who, callId, sid, until, ms = 10000) => {
    const seen = [];
    let last;
    for (const end = Date.now() + ms; Date.now() < end;) {
      const r = await ctx.status(who, callId, sid);
      assert.equal(r.status, 200, r.text);
      last = r.json;
      if (seen.at(-1) !== last.status) seen.push(last.status);
      if (until(last)) break;
      await sleep(30);
    }
    return { seen, last };
  };
  ctx.audit = async (callId) => {
    const r = await ctx.srv.req('GET', `/api/audit/calls/${callId}`, { token: ctx.owner.token });
    assert.equal(r.status, 200, r.text);
    return r.json.events;
  };
  ctx.list = async (query = '') => {
    const rows = [];
    for (let cursor = null, i = 0; i < 20; i++) {
      const q = `/api/calls?limit=100&spam=true${query}${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`;
      const r = await ctx.srv.req('GET', q, { token: ctx.owner.token });
      assert.equal(r.status, 200, r.text);
      rows.push(...r.json.data);
      if (!r.json.hasMore) break;
      cursor = r.json.nextCursor;
    }
    return rows;
  };
  // Calls with a dialable customer and tracking number and no do-not-contact contact, each used once.
  ctx.used = new Set();
  ctx.freshCall = async (pred = () => true) => {
    const all = await ctx.list();
    const c = all.find((x) => !ctx.used.has(x.id) && E164.test(customerOf(x)) && E164.test(trackingOf(x)) &&
      !x.contact?.doNotContact && pred(x));
    assert.ok(c, 'the seed has a dialable call left');
    ctx.used.add(c.id);
    return c;
  };
  return ctx;
}

// call-status speaks the contract's four states: a failed leg reads as ended, outcome failed.
const ENDED = (s) => s.status === 'ended';

function providerSuite(provider) {
  describe(`click-to-call via ${provider}`, () => {
    let ctx;
    before(async () => { ctx = await setup(provider); });
    after(async () => {
      await ctx.srv?.stop();
      await ctx.standin?.stop();
    });

    test('transfer mode: 200 { callSid, status: dialing }, then every transition through call-status', async () => {
      const who = await ctx.user('dispatcher');
      const call = await ctx.freshCall();
      const r = await ctx.click(who, call.id, { bridgeMode: 'transfer' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.status, 'dialing');
      assert.match(r.json.callSid, /^CA[0-9a-f]{32}$/);
      const first = await ctx.status(who, call.id, r.json.callSid);
      assert.equal(first.status, 200, first.text);
      assert.equal(first.json.bridgeMode, 'transfer');
      const { seen, last } = await ctx.watch(who, call.id, r.json.callSid, ENDED);
      assert.deepEqual(seen.filter((s) => s !== 'dialing'), ['ringing', 'connected', 'ended'], `seen ${seen}`);
      assert.equal(seen[0], 'dialing');
      assert.equal(last.duration, Math.round(TALK_MS / 1000));
      assert.equal(last.vendorStatus, 'completed');
      assert.equal(last.callSid, r.json.callSid, 'the sid the client was given keeps working');
      if (ctx.standin) {
        const reqs = ctx.standin.callsTo(who.phone);
        assert.equal(reqs.length, 1);
        const f = reqs[0].form;
        assert.equal(f.From, trackingOf(call));
        assert.equal(f.Twiml, `<Response><Dial callerId="${trackingOf(call)}">${customerOf(call)}</Dial></Response>`);
        assert.equal(f.StatusCallback, `${ctx.srv.base}/api/webhooks/telephony`);
        assert.deepEqual(reqs[0].params.filter(([k]) => k === 'StatusCallbackEvent').map(([, v]) => v),
          ['initiated', 'ringing', 'answered', 'completed']);
        assert.equal(reqs[0].auth, 'Basic ' + Buffer.from(`${ctx.standin.accountSid}:${ctx.standin.authToken}`).toString('base64'));
        assert.equal(ctx.standin.callsTo(customerOf(call)).length, 0, 'transfer mode places no second leg');
      }
      const ev = (await ctx.audit(call.id)).filter((e) => e.action === 'call.click_to_call');
      assert.equal(ev.length, 1);
      assert.equal(ev[0].metadata.bridgeMode, 'transfer');
      assert.equal(ev[0].metadata.callSid, r.json.callSid);
    });

    test('no body at all: conference mode; the customer joins once the agent answers', async () => {
      const who = await ctx.user('dispatcher');
      const call = await ctx.freshCall();
      const r = await ctx.srv.req('POST', `/api/calls/${call.id}/click-to-call`, { token: who.token });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.status, 'dialing');
      const { seen, last } = await ctx.watch(who, call.id, r.json.callSid, ENDED);
      assert.deepEqual(seen, ['dialing', 'ringing', 'connected', 'ended'], `seen ${seen}`);
      assert.equal(last.bridgeMode, 'conference');
      if (ctx.standin) {
        const agent = ctx.standin.callsTo(who.phone);
        assert.equal(agent.length, 1);
        assert.equal(agent[0].form.Twiml, `<Response><Dial><Conference>call-${call.id}</Conference></Dial></Response>`);
        const cust = ctx.standin.callsTo(customerOf(call));
        assert.equal(cust.length, 1, 'one customer leg');
        assert.equal(cust[0].form.Twiml, agent[0].form.Twiml, 'same conference room');
        assert.equal(cust[0].form.From, trackingOf(call));
        const answered = ctx.standin.callbacks.find((c) => c.callSid === agent[0].sid && c.callStatus === 'in-progress');
        assert.ok(answered && cust[0].at >= answered.at, 'placed after the agent answered');
      }
    });

    test('an unanswered, busy or failed agent leg ends with the vendor\'s outcome', async () => {
      // The vendor fails legs to numbers ending 0002 (simulator and stand-in alike).
      for (const [phone, vendor] of [['+14155550001', 'no-answer'], ['+14155550000', 'busy'], ['+14155550002', 'failed']]) {
        const who = await ctx.user('dispatcher', undefined, phone);
        const call = await ctx.freshCall();
        const r = await ctx.click(who, call.id, {});
        assert.equal(r.status, 200, r.text);
        const { seen, last } = await ctx.watch(who, call.id, r.json.callSid, ENDED);
        assert.equal(last.status, 'ended', `seen ${seen}`);
        assert.equal(last.vendorStatus, vendor);
        assert.equal(last.outcome, vendor, 'reported as the vendor ended it');
        assert.ok(!seen.includes('connected'));
        assert.ok(seen.every((x) => ['dialing', 'ringing', 'connected', 'ended'].includes(x)), `only contract states: ${seen}`);
      }
    });

    test('click-to-call is announced as call_updated on the WebSocket feed', async () => {
      const who = await ctx.user('dispatcher');
      const call = await ctx.freshCall();
      const ws = new WebSocket(`ws://127.0.0.1:${ctx.srv.port}/ws/calls?token=${who.token}`);
      const events = [];
      ws.on('message', (m) => events.push(JSON.parse(m.toString())));
      await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
      try {
        const r = await ctx.click(who, call.id, { bridgeMode: 'transfer' });
        assert.equal(r.status, 200, r.text);
        const mine = (e) => e.type === 'call_updated' && e.data.callId === call.id;
        for (const end = Date.now() + 5000; Date.now() < end && !events.some((e) => mine(e) && e.data.leg?.status !== 'dialing');)
          await sleep(30);
        const ev = events.filter(mine);
        assert.ok(ev.length >= 1, `got ${JSON.stringify(events.map((e) => e.type))}`);
        assert.equal(ev[0].data.action, 'call.click_to_call');
        assert.deepEqual(ev[0].data.leg, { callSid: r.json.callSid, status: 'dialing' });
        assert.ok(Number.isInteger(ev[0].id) && Date.parse(ev[0].at));
        assert.ok(ev.some((e) => e.data.action === 'call.leg_updated'), 'the leg\'s progress follows');
      } finally {
        ws.close();
      }
    });

    test('do-not-contact: refused naming the rule, audited; only an Owner may override', async () => {
      const dnc = (await ctx.list('&dnc=true')).find((c) => E164.test(customerOf(c)) && E164.test(trackingOf(c)));
      assert.ok(dnc, 'the seed has a call of a do-not-contact contact');
      ctx.used.add(dnc.id);
      const disp = await ctx.user('dispatcher');
      const admin = await ctx.user('admin');
      let r = await ctx.click(disp, dnc.id, {});
      expectProblem(assert, r, 403);
      assert.match(r.json.detail, /do_not_contact/);
      r = await ctx.click(disp, dnc.id, { override: true });
      expectProblem(assert, r, 403);
      assert.match(r.json.detail, /do_not_contact.*Owner/);
      expectProblem(assert, await ctx.click(admin, dnc.id, { override: true }), 403);
      expectProblem(assert, await ctx.click(ctx.owner, dnc.id), 403);
      r = await ctx.click(ctx.owner, dnc.id, { override: true, bridgeMode: 'transfer' });
      assert.equal(r.status, 200, r.text);
      const events = await ctx.audit(dnc.id);
      const denied = events.filter((e) => e.action === 'compliance.denied');
      assert.equal(denied.length, 4);
      for (const e of denied) {
        assert.equal(e.metadata.rule, 'do_not_contact');
        assert.equal(e.metadata.decision, 'deny');
        assert.equal(e.metadata.to, customerOf(dnc));
      }
      assert.deepEqual(denied.map((e) => e.metadata.overrideRequested), [false, true, true, false]);
      const over = events.filter((e) => e.action === 'compliance.overridden');
      assert.equal(over.length, 1);
      assert.equal(over[0].actor, 'owner@acme.test');
      assert.equal(over[0].metadata.overridden, true);
      const clicks = events.filter((e) => e.action === 'call.click_to_call');
      assert.equal(clicks.length, 1);
      assert.equal(clicks[0].metadata.complianceOverride, true);
      // An allowed dial is audited as a decision too.
      const call = await ctx.freshCall();
      assert.equal((await ctx.click(disp, call.id)).status, 200);
      const allowed = (await ctx.audit(call.id)).filter((e) => e.action === 'compliance.allowed');
      assert.equal(allowed.length, 1);
      assert.equal(allowed[0].metadata.rule, null);
    });

    test('refused without a phone of one\'s own; Viewer 403; a Tech only on own jobs\' calls', async () => {
      const nophone = await ctx.user('dispatcher', undefined, null);
      const call = await ctx.freshCall();
      const r = await ctx.click(nophone, call.id);
      expectProblem(assert, r, 409);
      assert.match(r.json.detail, /phone/);
      const viewer = await ctx.user('viewer');
      expectProblem(assert, await ctx.click(viewer, call.id), 403);
      const all = await ctx.list();
      const users = (await ctx.srv.req('GET', '/api/users', { token: ctx.owner.token })).json.users;
      const withJob = all.filter((c) => c.job?.techIds?.length && !ctx.used.has(c.id) && E164.test(customerOf(c)) &&
        E164.test(trackingOf(c)) && !c.contact?.doNotContact);
      const techUser = users.find((u) => u.role === 'tech' && withJob.some((c) => c.job.techIds.includes(u.id)));
      assert.ok(techUser, 'the seed assigns jobs to techs');
      const tech = await ctx.user('tech', techUser.email);
      const own = withJob.find((c) => c.job.techIds.includes(techUser.id));
      ctx.used.add(own.id);
      const ok = await ctx.click(tech, own.id);
      assert.equal(ok.status, 200, ok.text);
      assert.equal((await ctx.status(tech, own.id, ok.json.callSid)).status, 200);
      const foreign = all.find((c) => !c.job?.techIds?.includes(techUser.id));
      expectProblem(assert, await ctx.click(tech, foreign.id), 404);
      // A leg of a call the Tech may not see is not found either.
      expectProblem(assert, await ctx.status(tech, foreign.id, ok.json.callSid), 404);
    });

    test('Idempotency-Key: same key, same user, same answer, one dial', async () => {
      const who = await ctx.user('dispatcher');
      const call = await ctx.freshCall();
      const key = 'ctc-' + randomBytes(8).toString('hex');
      const a = await ctx.click(who, call.id, { bridgeMode: 'transfer' }, { 'Idempotency-Key': key });
      assert.equal(a.status, 200, a.text);
      const b = await ctx.click(who, call.id, { bridgeMode: 'transfer' }, { 'Idempotency-Key': key });
      assert.equal(b.status, 200, b.text);
      assert.equal(b.json.callSid, a.json.callSid);
      assert.equal(b.json.status, 'dialing');
      assert.equal(b.headers.get('idempotent-replayed'), 'true');
      // Another user's same key is their own request.
      const other = await ctx.user('dispatcher');
      const c = await ctx.click(other, call.id, { bridgeMode: 'transfer' }, { 'Idempotency-Key': key });
      assert.equal(c.status, 200, c.text);
      assert.notEqual(c.json.callSid, a.json.callSid);
      // The key on another call is a conflict.
      const call2 = await ctx.freshCall();
      expectProblem(assert, await ctx.click(who, call2.id, {}, { 'Idempotency-Key': key }), 409);
      await ctx.watch(who, call.id, a.json.callSid, (s) => s.status !== 'dialing');
      await sleep(300);
      const clicks = (await ctx.audit(call.id)).filter((e) => e.action === 'call.click_to_call');
      assert.equal(clicks.length, 2, 'one per user');
      if (ctx.standin) assert.equal(ctx.standin.callsTo(who.phone).length, 1, 'the vendor was asked once');
    });

    test('validation: bad bridgeMode, unknown keys, wrong types, bad key; unknown legs and calls are 404', async () => {
      const who = await ctx.user('dispatcher');
      const call = await ctx.freshCall();
      for (const body of [{ bridgeMode: 'bogus' }, { bridgeMode: 3 }, { override: 'yes' }, { bridgeMod: 'transfer' }]) {
        const r = await ctx.click(who, call.id, body);
        expectProblem(assert, r, 400);
        assert.ok(r.json.errors.length >= 1);
      }
      expectProblem(assert, await ctx.click(who, call.id, {}, { 'Idempotency-Key': 'x'.repeat(201) }), 400);
      expectProblem(assert, await ctx.srv.req('POST', `/api/calls/${call.id}/click-to-call`,
        { token: who.token, raw: '[1]', headers: { 'Content-Type': 'application/json' } }), 400);
      expectProblem(assert, await ctx.srv.req('POST', `/api/calls/${call.id}/click-to-call`,
        { token: who.token, raw: '{', headers: { 'Content-Type': 'application/json' } }), 400);
      expectProblem(assert, await ctx.click(who, '01900000-0000-7000-8000-00000000beef'), 404);
      expectProblem(assert, await ctx.status(who, call.id, 'CA' + '0'.repeat(32)), 404);
      const r = await ctx.click(who, call.id);
      assert.equal(r.status, 200);
      const other = await ctx.freshCall();
      expectProblem(assert, await ctx.status(who, other.id, r.json.callSid), 404, 'a leg of another call');
      const otherOwner = ctx.srv.token('other', 'owner', 'owner@other.test');
      expectProblem(assert, await ctx.srv.req('GET', `/api/calls/${call.id}/call-status/${r.json.callSid}`,
        { token: otherOwner }), 404);
      expectProblem(assert, await ctx.srv.req('POST', `/api/calls/${call.id}/click-to-call`, {}), 401);
    });
  });
}

providerSuite('sim');
providerSuite('twilio');

// The Twilio client gives up on a request after 2 s here (SWITCHBOARD_TWILIO_TIMEOUT_MS).
const TIMEOUT_MS = 2000;

describe('twilio vendor failures go through the job queue', () => {
  let ctx;
  before(async () => { ctx = await setup('twilio', { SWITCHBOARD_TWILIO_TIMEOUT_MS: String(TIMEOUT_MS) }); });
  after(async () => {
    await ctx.srv?.stop();
    await ctx.standin?.stop();
  });
  // The stand-in's call-list GETs asking for calls to `to`.
  const listsFor = (to) => ctx.standin.callLists().filter((x) => new URL(x.path, 'http://x').searchParams.get('To') === to);

  test('5xx and 429 are retried with backoff, then the leg is placed', async () => {
    const who = await ctx.user('dispatcher');
    const call = await ctx.freshCall();
    ctx.standin.fail(1, 503);
    ctx.standin.fail(1, 429);
    const r = await ctx.click(who, call.id, { bridgeMode: 'transfer' });
    assert.equal(r.status, 200, r.text);
    const { seen, last } = await ctx.watch(who, call.id, r.json.callSid, ENDED, 15000);
    assert.equal(last.status, 'ended', `seen ${seen}`);
    assert.equal(last.outcome, 'completed');
    const reqs = ctx.standin.callsTo(who.phone);
    assert.deepEqual(reqs.map((x) => x.outcome), [503, 429, 201]);
    assert.ok(reqs[1].at - reqs[0].at >= 700, 'the first retry waited (1 s +-25%)');
    assert.ok(reqs[2].at - reqs[1].at >= 1400, 'the second waited longer (2 s +-25%)');
    // A 5xx may come from a vendor that placed the call all the same: each retry looked first.
    const lists = listsFor(who.phone);
    assert.equal(lists.length, 2);
    for (const [i, l] of lists.entries()) assert.ok(l.at > reqs[i].at && l.at < reqs[i + 1].at, 'looked before re-dialling');
    assert.ok(!(await ctx.audit(call.id)).some((e) => e.action === 'call.dial_failed'));
  });

  test('a permanent 4xx fails the leg at once, with the error, audited and announced', async () => {
    const who = await ctx.user('dispatcher');
    const call = await ctx.freshCall();
    ctx.standin.fail(1, 400);
    const r = await ctx.click(who, call.id);
    assert.equal(r.status, 200, r.text);
    const { last } = await ctx.watch(who, call.id, r.json.callSid, ENDED, 5000);
    assert.equal(last.status, 'ended');
    assert.equal(last.outcome, 'failed');
    assert.match(last.error, /HTTP 400/);
    assert.match(last.error, /21211/);
    await sleep(1500);
    assert.equal(ctx.standin.callsTo(who.phone).length, 1, 'never retried');
    const failed = (await ctx.audit(call.id)).filter((e) => e.action === 'call.dial_failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0].metadata.callSid, r.json.callSid);
    assert.equal(failed[0].source, 'system');
  });

  test('a timeout where the vendor placed nothing: it looks, finds none, and dials again', async () => {
    const who = await ctx.user('dispatcher');
    const call = await ctx.freshCall();
    ctx.standin.delay(1, TIMEOUT_MS + 1000);
    const r = await ctx.click(who, call.id, { bridgeMode: 'transfer' });
    assert.equal(r.status, 200, r.text);
    const { seen, last } = await ctx.watch(who, call.id, r.json.callSid, ENDED, 15000);
    assert.equal(last.status, 'ended', `seen ${seen}`);
    const reqs = ctx.standin.callsTo(who.phone);
    assert.deepEqual(reqs.map((x) => x.outcome), ['abandoned', 201]);
    assert.ok(reqs[1].at - reqs[0].at >= TIMEOUT_MS, 'the first attempt timed out');
    assert.equal(listsFor(who.phone).length, 1, 'it looked once, before the second attempt');
    assert.equal(ctx.standin.calls.filter((c) => c.to === who.phone).length, 1, 'one call placed');
  });

  test('a timeout after the vendor created the call: the retry adopts it, the phone rings once', async () => {
    const who = await ctx.user('dispatcher');
    const call = await ctx.freshCall();
    ctx.standin.late(1, TIMEOUT_MS + 2000); // created and played out at once; the answer never arrives in time
    ctx.standin.failList(1, 503);           // and the first look cannot tell: no dial then either
    const r = await ctx.click(who, call.id, { bridgeMode: 'transfer' });
    assert.equal(r.status, 200, r.text);
    const { seen, last } = await ctx.watch(who, call.id, r.json.callSid, ENDED, 15000);
    assert.equal(last.status, 'ended', `seen ${seen}`);
    const created = ctx.standin.calls.filter((c) => c.to === who.phone);
    assert.equal(created.length, 1, 'exactly one call placed at the vendor');
    assert.deepEqual(ctx.standin.callsTo(who.phone).map((x) => x.outcome), ['created, answer lost']);
    // Its callbacks came before we knew its sid; the adopted state is the vendor's own.
    assert.equal(last.vendorStatus, 'completed');
    assert.equal(last.outcome, 'completed');
    assert.equal(last.duration, Math.round(TALK_MS / 1000));
    assert.equal(last.callSid, r.json.callSid, 'the client keeps its sid');
    const byVendor = await ctx.status(who, call.id, created[0].sid);
    assert.equal(byVendor.status, 200, byVendor.text);
    assert.equal(byVendor.json.callSid, r.json.callSid, 'the leg is the vendor\'s call');
    const lists = listsFor(who.phone);
    assert.deepEqual(lists.map((x) => x.outcome), [503, 200]);
    const q = new URL(lists[1].path, 'http://x').searchParams;
    assert.equal(q.get('From'), trackingOf(call));
    assert.ok(!(await ctx.audit(call.id)).some((e) => e.action === 'call.dial_failed'));
  });

  test('a vendor failing every attempt: 8 tries with backoff, then the leg is reported failed', async () => {
    const who = await ctx.user('dispatcher');
    const call = await ctx.freshCall();
    const saved = (await ctx.srv.req('POST', '/api/test/clock', { token: ctx.owner.token, body: {} })).json.offsetMs;
    ctx.standin.fail(8, 503);
    const t0 = Date.now();
    const r = await ctx.click(who, call.id, { bridgeMode: 'transfer' });
    assert.equal(r.status, 200, r.text);
    let last;
    try {
      // The backoff (1 s, 2 s, ... 64 s) runs on the test clock: move it on instead of waiting.
      for (const end = Date.now() + 10000; Date.now() < end;) {
        last = (await ctx.status(who, call.id, r.json.callSid)).json;
        if (ENDED(last)) break;
        await ctx.srv.req('POST', '/api/test/clock', { token: ctx.owner.token, body: { advanceMs: 120000 } });
        await sleep(100);
      }
    } finally {
      await ctx.srv.req('POST', '/api/test/clock', { token: ctx.owner.token, body: { offsetMs: saved } });
    }
    assert.ok(Date.now() - t0 < 10000, 'finished in seconds');
    assert.equal(last.status, 'ended', JSON.stringify(last));
    assert.equal(last.outcome, 'failed');
    assert.match(last.error, /HTTP 503/);
    const reqs = ctx.standin.callsTo(who.phone);
    assert.equal(reqs.length, 8, 'the queue\'s limit of attempts');
    assert.ok(reqs.every((x) => x.outcome === 503));
    assert.equal(listsFor(who.phone).length, 7, 'each retry looked first');
    const failed = (await ctx.audit(call.id)).filter((e) => e.action === 'call.dial_failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0].metadata.attempts, 8);
    await sleep(500);
    assert.equal(ctx.standin.callsTo(who.phone).length, 8, 'and no more after');
  });
});
