// Inbound SMS and compliance: every opt-out, opt-in and help keyword (case,
// white space) with its one reply and the resulting state (opt-in status, the
// do-not-contact list for SMS, sends refused afterwards); vendor error 21610
// (from the REST API and from a status callback); idempotent webhooks;
// signature checks; the manual opt-out endpoint; vendor failures retried
// without ever sending twice, including an answer lost after the vendor
// accepted the message.
import { test, before, after, describe } from 'node:test';
import WebSocket from 'ws';
import assert from 'node:assert/strict';
import { expectProblem } from './harness.mjs';
import { setup, freshNumber, sleep, TRACKING } from './messaging_helpers.mjs';
import { postSigned } from './twilio_sign.mjs';

const STOPS = ['STOP', 'stopall', ' Unsubscribe ', 'CANCEL', 'end', 'Quit\n', 'REVOKE', 'optout'];
const STARTS = ['START', 'yes', 'UnStop'];

function keywordSuite(provider) {
  describe(`keywords via ${provider}`, () => {
    let ctx;
    before(async () => { ctx = await setup(provider); });
    after(async () => { await ctx.stop(); });

    const replies = (c) => c.messages.filter((m) => m.kind === 'keyword_reply');
    const dnc = (n) => ctx.sql(`SELECT block_sms || ',' || block_call || ',' || source FROM dnc_entries WHERE e164 = '${n}'`);

    for (const word of STOPS) {
      test(`"${JSON.stringify(word)}" opts out with exactly one confirmation, lists the number DNC for SMS`, async () => {
        const from = freshNumber();
        const r = await ctx.inbound(from, word);
        assert.equal(r.status, 200, r.text);
        let c = await ctx.conv(from);
        assert.equal(c.optInStatus, false);
        const reply = await ctx.waitFor(from, (m) => m.kind === 'keyword_reply' && m.status === 'delivered');
        assert.match(reply.body, /^acme: You are unsubscribed/);
        assert.doesNotMatch(reply.body, /http|offer|review|%|sale/i, 'no marketing in the confirmation');
        assert.equal(reply.from, TRACKING);
        assert.equal(dnc(from), '1,0,sms_stop');
        // The same webhook again (vendor retry) and a second STOP: no second reply.
        assert.equal((await ctx.inbound(from, word, r.sid)).status, 200);
        assert.equal((await ctx.inbound(from, 'STOP')).status, 200);
        await sleep(400);
        c = await ctx.conv(from);
        assert.equal(replies(c).length, 1);
        assert.equal(c.messages.filter((m) => m.direction === 'inbound').length, 2, 'the replayed webhook stored nothing');
        if (ctx.standin) assert.equal(ctx.standin.messagesTo(from).length, 1);
      });
    }

    test('START, YES, UNSTOP opt back in (one reply each time the state changes); HELP and INFO answer with name and contact', async () => {
      for (const word of STARTS) {
        const from = freshNumber();
        await ctx.inbound(from, 'stop');
        assert.equal((await ctx.conv(from)).optInStatus, false);
        await ctx.inbound(from, word);
        const c = await ctx.conv(from);
        assert.equal(c.optInStatus, true, word);
        const r = replies(c);
        assert.equal(r.length, 2);
        assert.match(r[1].body, /resubscribed/);
        assert.equal(dnc(from), '', 'the SMS-only listing is lifted');
        await ctx.inbound(from, word); // already opted in: no reply
        assert.equal(replies(await ctx.conv(from)).length, 2);
      }
      const fresh = freshNumber();
      await ctx.inbound(fresh, 'Yes');
      assert.equal(replies(await ctx.conv(fresh)).length, 0, 'a plain "yes" of an opted-in customer gets no reply');
      for (const word of ['HELP', ' info ']) {
        const from = freshNumber();
        await ctx.inbound(from, word);
        const c = await ctx.conv(from);
        assert.equal(c.optInStatus, true);
        const r = replies(c);
        assert.equal(r.length, 1);
        assert.match(r[0].body, new RegExp(`^acme: .*${TRACKING.replace('+', '\\+')}.*Reply STOP to opt out\\.$`));
      }
      // Not a keyword: stored, no reply, no state.
      const from = freshNumber();
      await ctx.inbound(from, 'please stop by tomorrow');
      const c = await ctx.conv(from);
      assert.equal(replies(c).length, 0);
      assert.equal(c.optInStatus, true);
    });

    test('after STOP nothing more is sent to the number (refused by the gate, or failed at send time)', async () => {
      const to = freshNumber();
      const id = await ctx.call(to);
      await ctx.inbound(to, 'STOP');
      const r = await ctx.send(id, { template: 'general', message: 'Special offer!' });
      if (r.status === 403) {
        assert.match(r.json.detail, /opt|dnc_list|do-not-contact/);
      } else {
        assert.equal(r.status, 200, r.text);
        const m = await ctx.status(to, r.json.messageSid, 'failed');
        assert.match(m.error, /sms_opt_out/);
      }
      await sleep(300);
      if (ctx.standin) assert.equal(ctx.standin.messagesTo(to).filter((m) => m.body === 'Special offer!').length, 0);
    });

    test('inbound messages are announced on the realtime feed', async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${ctx.srv.port}/ws/calls?token=${ctx.dispatcher}`);
      const events = [];
      ws.on('message', (m) => events.push(JSON.parse(m.toString())));
      await new Promise((res, rej) => { ws.on('open', res); ws.on('error', rej); });
      const from = freshNumber();
      await ctx.inbound(from, 'Running late?');
      let e;
      for (const end = Date.now() + 3000; Date.now() < end && !e; await sleep(20))
        e = events.find((x) => x.type === 'sms_received' && x.data?.from === from);
      ws.close();
      assert.ok(e, `events: ${JSON.stringify(events.map((x) => x.type))}`);
      assert.equal(e.data.body, 'Running late?');
      assert.equal(e.data.to, TRACKING);
    });

    test('21610 from the vendor: the message fails and the number is opted out and listed DNC for SMS', async () => {
      const to = provider === 'sim' ? freshNumber('0004') : freshNumber();
      if (ctx.standin) ctx.standin.optedOut.add(to);
      const id = await ctx.call(to);
      const r = await ctx.send(id, { template: 'general', message: 'hello' });
      assert.equal(r.status, 200, r.text);
      const m = await ctx.status(to, r.json.messageSid, 'failed');
      assert.equal(m.errorCode, 21610);
      assert.equal((await ctx.conv(to)).optInStatus, false);
      assert.equal(dnc(to), '1,0,vendor_21610');
    });

    test('status callbacks: failed and undelivered with ErrorCode, ErrorCode 21610 opts out, idempotent, never backwards', async () => {
      const a = provider === 'sim' ? freshNumber('0002') : freshNumber();
      const b = provider === 'sim' ? freshNumber('0003') : freshNumber();
      if (ctx.standin) {
        ctx.standin.outcome(a, 'failed', 30008);
        ctx.standin.outcome(b, 'undelivered', 30003);
      }
      const ra = await ctx.send(await ctx.call(a), { template: 'general', message: 'a' });
      const rb = await ctx.send(await ctx.call(b), { template: 'general', message: 'b' });
      assert.equal((await ctx.status(a, ra.json.messageSid, 'failed')).errorCode, 30008);
      assert.equal((await ctx.status(b, rb.json.messageSid, 'undelivered')).errorCode, 30003);
      // A late "sent" does not move it back; a 21610 callback opts the number out.
      const vsid = ctx.sql(`SELECT vendor_sid FROM sms_messages WHERE sid = '${rb.json.messageSid}'`);
      assert.match(vsid, /^SM[0-9a-f]{32}$/);
      let r = await ctx.callback({ MessageSid: vsid, SmsSid: vsid, MessageStatus: 'sent', From: TRACKING, To: b });
      assert.equal(r.status, 200, r.text);
      assert.equal((await ctx.conv(b)).messages[0].status, 'undelivered');
      r = await ctx.callback({ MessageSid: vsid, MessageStatus: 'failed', ErrorCode: '21610', From: TRACKING, To: b });
      assert.equal(r.status, 200, r.text);
      assert.equal((await ctx.conv(b)).optInStatus, false);
      r = await ctx.callback({ MessageSid: vsid, MessageStatus: 'failed', ErrorCode: '21610', From: TRACKING, To: b });
      assert.equal(r.status, 200, 'a repeat is accepted and changes nothing');
      assert.equal(ctx.sql(`SELECT COUNT(*) FROM sms_callbacks_seen WHERE vendor_sid = '${vsid}' AND status = 'failed'`), '1');
      // Unknown message: 404 (the vendor retries); malformed: 400.
      r = await ctx.callback({ MessageSid: 'SM' + '0'.repeat(32), MessageStatus: 'delivered', From: TRACKING, To: b });
      expectProblem(assert, r, 404);
      r = await ctx.callback({ MessageSid: vsid, MessageStatus: 'exploded', From: TRACKING, To: b });
      expectProblem(assert, r, 400);
    });
  });
}

keywordSuite('sim');
keywordSuite('twilio');

describe('webhook security, manual opt-out, vendor failures', () => {
  let ctx;
  before(async () => { ctx = await setup('twilio'); });
  after(async () => { await ctx.stop(); });

  test('unsigned, wrongly signed or unknown-number posts are refused and store nothing', async () => {
    const from = freshNumber();
    const params = { MessageSid: 'SM' + 'a'.repeat(32), From: from, To: TRACKING, Body: 'STOP', SmsStatus: 'received' };
    let r = await fetch(ctx.smsHook(), { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString() });
    assert.equal(r.status, 403);
    r = await postSigned(ctx.smsHook(), 'not-the-token', params);
    expectProblem(assert, r, 403);
    r = await postSigned(ctx.smsHook() + '?m=x', ctx.authToken, params, { signature: (await import('./twilio_sign.mjs')).twilioSignature(ctx.authToken, ctx.smsHook(), params) });
    expectProblem(assert, r, 403);
    r = await postSigned(ctx.smsHook(), ctx.authToken, { ...params, To: '+19175550999' });
    expectProblem(assert, r, 404);
    const c = await ctx.conv(from);
    assert.equal(c.messages.length, 0);
    assert.equal(c.optInStatus, true);
    // The stand-in's own inbound post, signed by it, is accepted.
    const s = await ctx.standin.inbound(ctx.smsHook(), { From: from, To: TRACKING, Body: 'Hi there' });
    assert.equal(s.status, 200);
    assert.equal((await ctx.conv(from)).messages[0].body, 'Hi there');
  });

  test('POST /api/messaging/opt-out/:number: idempotent, audited once, Dispatcher+ only', async () => {
    const n = freshNumber();
    expectProblem(assert, await ctx.srv.req('POST', `/api/messaging/opt-out/${encodeURIComponent(n)}`, { token: ctx.viewer }), 403);
    let r = await ctx.srv.req('POST', `/api/messaging/opt-out/${encodeURIComponent(n)}`, { token: ctx.dispatcher });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { number: n, optedOut: true, changed: true });
    r = await ctx.srv.req('POST', `/api/messaging/opt-out/${encodeURIComponent(n)}`, { token: ctx.owner });
    assert.deepEqual(r.json, { number: n, optedOut: true, changed: false });
    assert.equal((await ctx.conv(n)).optInStatus, false);
    assert.equal(ctx.sql(`SELECT COUNT(*) FROM audit_events WHERE action = 'sms.opt_out' AND target_id = '${n}'`), '1');
    assert.equal(ctx.sql(`SELECT block_sms || ',' || source FROM dnc_entries WHERE e164 = '${n}'`), '1,manual');
    expectProblem(assert, await ctx.srv.req('POST', '/api/messaging/opt-out/12', { token: ctx.dispatcher }), 400);
  });

  test('vendor errors and timeouts are retried with backoff; a message is never sent twice', async () => {
    const to = freshNumber();
    const id = await ctx.call(to);
    ctx.standin.fail(2, 503);
    let r = await ctx.send(id, { template: 'general', message: 'after two 503s' });
    await ctx.status(to, r.json.messageSid, 'delivered', 15000);
    assert.equal(ctx.standin.messagesTo(to).length, 1);
    assert.equal(ctx.standin.requests.filter((q) => q.form.Body?.startsWith('after two 503s')).length, 3);
    // Accepted by the vendor, but the answer is lost: the retry finds it instead of sending again.
    ctx.standin.drop(1, 1500);
    const before = ctx.standin.requests.length;
    r = await ctx.send(id, { template: 'general', message: 'answer lost' });
    await ctx.status(to, r.json.messageSid, 'delivered', 15000);
    const posts = ctx.standin.requests.filter((q) => q.method === 'POST' && q.form.Body === 'answer lost');
    assert.equal(posts.length, 1, 'posted once');
    const gets = ctx.standin.requests.slice(before).filter((q) => q.method === 'GET' && q.path.includes('Messages.json?'));
    assert.equal(gets.length, 2, 'looked up, paging back to the second page of 1,000');
    assert.match(gets[1].path, /Page=1&/);
    const vendor = ctx.standin.messagesTo(to).filter((m) => m.body === 'answer lost');
    assert.equal(vendor.length, 1);
    assert.equal(ctx.sql(`SELECT vendor_sid FROM sms_messages WHERE sid = '${r.json.messageSid}'`), vendor[0].sid);
    // A permanent vendor error fails the message at once.
    ctx.standin.fail(1, 400);
    r = await ctx.send(id, { template: 'general', message: 'bad' });
    const m = await ctx.status(to, r.json.messageSid, 'failed', 8000);
    assert.equal(m.errorCode, 21211);
  });
});

// Twilio answers STOP, START and HELP itself by default on long codes (and with Advanced Opt-Out it
// names the keyword in OptOutType): the state still changes here, but a reply of ours would be a
// second one (and, after STOP, refused with 21610).
describe('keywords the vendor answers itself', () => {
  for (const [how, env, extra] of [
    ['OptOutType on the webhook', {}, (k) => ({ OptOutType: k })],
    ['SWITCHBOARD_SMS_VENDOR_KEYWORD_REPLIES=true', { SWITCHBOARD_SMS_VENDOR_KEYWORD_REPLIES: 'true' }, () => ({})],
  ]) {
    test(`${how}: STOP, HELP and START change the state and send no reply of ours`, async () => {
      const ctx = await setup('twilio', env);
      try {
        const from = freshNumber();
        const dnc = () => ctx.sql(`SELECT block_sms || ',' || source FROM dnc_entries WHERE e164 = '${from}'`);
        assert.equal((await ctx.inbound(from, 'STOP', undefined, extra('STOP'))).status, 200);
        let c = await ctx.conv(from);
        assert.equal(c.optInStatus, false);
        assert.equal(dnc(), '1,sms_stop');
        assert.equal((await ctx.inbound(from, 'HELP', undefined, extra('HELP'))).status, 200);
        assert.equal((await ctx.inbound(from, 'START', undefined, extra('START'))).status, 200);
        await sleep(600);
        c = await ctx.conv(from);
        assert.equal(c.optInStatus, true);
        assert.equal(c.messages.filter((m) => m.direction === 'inbound').length, 3);
        assert.equal(c.messages.filter((m) => m.kind === 'keyword_reply').length, 0);
        assert.equal(ctx.standin.messagesTo(from).length, 0);
        // A keyword without OptOutType on a default server is still answered by us.
        if (!env.SWITCHBOARD_SMS_VENDOR_KEYWORD_REPLIES) {
          const other = freshNumber();
          await ctx.inbound(other, 'HELP');
          const reply = await ctx.waitFor(other, (m) => m.kind === 'keyword_reply' && m.status === 'delivered');
          assert.match(reply.body, /^acme: for help/);
        }
      } finally {
        await ctx.stop();
      }
    });
  }
});
