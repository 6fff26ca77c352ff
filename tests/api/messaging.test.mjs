// SMS sending through both providers (the built-in simulator posting its own
// signed status callbacks, and the Twilio client against the local stand-in
// speaking the Messages resource): send-sms from a call with templates,
// variables, segments, cost and the first message's opt-out wording;
// scheduled sends; delivery receipts; conversation history with cursors;
// templates CRUD and roles; the A2P campaign settings and exact pacing.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { expectProblem } from './harness.mjs';
import { setup, freshNumber, sleep, TRACKING } from './messaging_helpers.mjs';

const OPT_OUT = 'Reply STOP to opt out.';

function providerSuite(provider) {
  describe(`send-sms via ${provider}`, () => {
    let ctx;
    before(async () => { ctx = await setup(provider); });
    after(async () => { await ctx.stop(); });

    test('send: queued, then sent and delivered through the status callbacks each vendor posts; first message carries opt-out wording', async () => {
      const to = freshNumber();
      const id = await ctx.call(to);
      const r = await ctx.send(id, { template: 'general', variables: { customerName: 'Ann', message: 'Your tech is booked.', jobTime: '3 pm' } });
      assert.equal(r.status, 200, r.text);
      assert.match(r.json.messageSid, /^SM[0-9a-f]{32}$/);
      assert.equal(r.json.status, 'queued');
      assert.equal(r.json.encoding, 'GSM-7');
      assert.equal(r.json.segments, 1);
      assert.equal(r.json.cost, 0.0079);
      assert.equal(r.json.body, `Hi Ann, this is acme. Your tech is booked. ${OPT_OUT}`);
      const seen = new Set();
      for (const end = Date.now() + 8000; Date.now() < end && !seen.has('delivered');) {
        const c = await ctx.conv(to);
        const m = c.messages.find((x) => x.messageSid === r.json.messageSid);
        seen.add(m.status);
        await sleep(15);
      }
      assert.ok(seen.has('delivered'), `statuses seen: ${[...seen]}`);
      const c = await ctx.conv(to);
      assert.equal(c.optInStatus, true);
      const m = c.messages[0];
      assert.equal(m.direction, 'outbound');
      assert.equal(m.from, TRACKING);
      assert.equal(m.to, to);
      assert.equal(m.callId, id);
      assert.equal(m.template, 'general');
      assert.ok(m.sentAt);
      if (ctx.standin) {
        const sent = ctx.standin.messagesTo(to);
        assert.equal(sent.length, 1);
        assert.equal(sent[0].from, TRACKING);
        assert.equal(sent[0].body, r.json.body);
        const req = ctx.standin.requests.find((x) => x.sid === sent[0].sid);
        assert.equal(req.form.StatusCallback, `${ctx.srv.base}/api/webhooks/sms?m=${r.json.messageSid}`);
        assert.equal(req.auth, 'Basic ' + Buffer.from(`${ctx.standin.accountSid}:${ctx.standin.authToken}`).toString('base64'));
        const cbs = ctx.standin.callbacks.filter((x) => x.messageSid === sent[0].sid);
        // Twilio posts no callback for a message's initial status (queued, from a number).
        assert.deepEqual(cbs.map((x) => x.messageStatus), ['sent', 'delivered']);
        assert.ok(cbs.every((x) => x.status === 200), 'every callback accepted');
      }
      // The second message to the number has no opt-out wording; `message` replaces the body.
      const r2 = await ctx.send(id, { template: 'general', message: 'See you at {{jobTime}}!', variables: { jobTime: '4 pm' } });
      assert.equal(r2.status, 200, r2.text);
      assert.equal(r2.json.body, 'See you at 4 pm!');
      await ctx.status(to, r2.json.messageSid, 'delivered');
      // Audit on the call.
      const audit = (await ctx.srv.req('GET', `/api/audit/calls/${id}`, { token: ctx.owner })).json.events;
      assert.equal(audit.filter((e) => e.action === 'call.send_sms').length, 2);
      assert.ok(audit.some((e) => e.action === 'compliance.allowed' && e.metadata.channel === 'sms'));
    });

    test('segments and encoding: UCS-2 for one emoji, long GSM-7 in 153-unit parts, over 1,600 characters refused', async () => {
      const to = freshNumber();
      const id = await ctx.call(to);
      const first = await ctx.send(id, { template: 'general', message: 'hello' }); // the first message carries the wording
      await ctx.accepted(to, first.json.messageSid); // once the vendor has it, the next ones do not
      let r = await ctx.send(id, { template: 'general', message: 'On our way \u{1F69A}' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.encoding, 'UCS-2');
      assert.equal(r.json.segments, 1);
      r = await ctx.send(id, { template: 'general', message: 'a'.repeat(161) });
      assert.deepEqual([r.json.encoding, r.json.segments, r.json.cost], ['GSM-7', 2, 0.0158]);
      r = await ctx.send(id, { template: 'general', message: '\u00e7'.repeat(71) });
      assert.deepEqual([r.json.encoding, r.json.segments], ['UCS-2', 2]);
      r = await ctx.send(id, { template: 'general', message: 'x'.repeat(1600) });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.segments, 11);
      r = await ctx.send(id, { template: 'general', message: 'x'.repeat(1601) });
      expectProblem(assert, r, 400);
      assert.ok(r.json.errors.some((e) => e.field === 'message' && /1600/.test(e.message)), r.text);
    });

    test('validation: a missing variable is named; unknown templates, bad fields and calls are refused; nothing is written', async () => {
      const to = freshNumber();
      const id = await ctx.call(to);
      let r = await ctx.send(id, { template: 'appointment-confirmation', variables: { customerName: 'Bo' } });
      expectProblem(assert, r, 400);
      assert.deepEqual(r.json.errors.map((e) => e.field), ['variables.jobTime']);
      r = await ctx.send(id, { template: 'on-my-way', variables: { customerName: 'Bo', techName: 'Al' } });
      assert.deepEqual(r.json.errors.map((e) => e.field), ['variables.eta']);
      r = await ctx.send(id, { template: 'nope' });
      expectProblem(assert, r, 400);
      assert.equal(r.json.errors[0].field, 'template');
      r = await ctx.send(id, { template: 'general', variables: { customerName: 5 } });
      assert.equal(r.json.errors[0].field, 'variables.customerName');
      r = await ctx.send(id, { template: 'general', bogus: 1 });
      expectProblem(assert, r, 400);
      r = await ctx.send(id, { variables: {} });
      assert.equal(r.json.errors[0].field, 'template');
      r = await ctx.send(id, { template: 'general', message: 'x', scheduledFor: '2001-01-01T00:00:00Z' });
      assert.equal(r.json.errors[0].field, 'scheduledFor');
      r = await ctx.send(id, { template: 'general', message: 'x', scheduledFor: 'tomorrow' });
      assert.equal(r.json.errors[0].field, 'scheduledFor');
      expectProblem(assert, await ctx.send('0192f0c4-7b1e-7a3c-9d2e-5f4a3b2c1d0e', { template: 'general', message: 'x' }), 404);
      assert.equal((await ctx.conv(to)).messages.length, 0, 'nothing written');
      // customerName comes from the contact when the call has one? None here: general needs it.
      r = await ctx.send(id, { template: 'general', variables: { message: 'hi' } });
      assert.deepEqual(r.json.errors.map((e) => e.field), ['variables.customerName']);
    });

    test('roles: Viewer cannot send; Tech only on its own jobs; Dispatcher, Admin and Owner can', async () => {
      const id = await ctx.call(freshNumber());
      expectProblem(assert, await ctx.send(id, { template: 'general', message: 'x' }, ctx.viewer), 403);
      expectProblem(assert, await ctx.send(id, { template: 'general', message: 'x' }, ctx.tech), 404);
      for (const t of [ctx.dispatcher, ctx.admin, ctx.owner])
        assert.equal((await ctx.send(id, { template: 'general', message: 'x' }, t)).status, 200);
      expectProblem(assert, await ctx.srv.req('POST', `/api/calls/${id}/send-sms`, { body: { template: 'general' } }), 401);
    });

    test('scheduledFor: queued as scheduled, sent when due and not before', async () => {
      const to = freshNumber();
      const id = await ctx.call(to);
      const at = new Date(Date.now() + 1500);
      const r = await ctx.send(id, { template: 'general', message: 'Reminder', scheduledFor: at.toISOString() });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.status, 'scheduled');
      let c = await ctx.conv(to);
      assert.equal(c.messages[0].status, 'scheduled');
      assert.equal(Date.parse(c.messages[0].scheduledFor), at.getTime());
      await sleep(700);
      assert.equal((await ctx.conv(to)).messages[0].status, 'scheduled');
      if (ctx.standin) assert.equal(ctx.standin.messagesTo(to).length, 0);
      const m = await ctx.status(to, r.json.messageSid, 'delivered', 8000);
      assert.ok(Date.parse(m.sentAt) >= at.getTime() - 5, `sent at ${m.sentAt}, due ${at.toISOString()}`);
      if (ctx.standin) assert.equal(ctx.standin.messagesTo(to).length, 1);
    });

    test('conversation: both directions oldest first, cursor pages, number in any format, bad input refused', async () => {
      const to = freshNumber();
      const id = await ctx.call(to);
      const sids = [];
      for (let i = 0; i < 3; i++) {
        const r = await ctx.send(id, { template: 'general', message: `out ${i}` });
        sids.push(r.json.messageSid);
        const inb = await ctx.inbound(to, `in ${i}`);
        assert.equal(inb.status, 200, inb.text);
        assert.match(inb.text, /<Response><\/Response>/);
        sids.push(inb.sid);
        await sleep(5);
      }
      const all = [];
      let cursor = null;
      for (let i = 0; i < 5; i++) {
        const c = await ctx.conv(to, `?limit=4${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`);
        all.push(...c.messages);
        if (!c.hasMore) break;
        assert.equal(c.messages.length, 4);
        cursor = c.nextCursor;
      }
      assert.deepEqual(all.map((m) => m.messageSid), sids);
      assert.deepEqual(all.map((m) => m.direction), ['outbound', 'inbound', 'outbound', 'inbound', 'outbound', 'inbound']);
      assert.equal(all[1].from, to);
      assert.equal(all[1].to, TRACKING);
      assert.equal(all[1].status, 'received');
      const digits = to.slice(2); // national format without +1
      const c2 = await ctx.conv(`(${digits.slice(0, 3)}) ${digits.slice(3, 6)}-${digits.slice(6)}`, '?limit=200');
      assert.equal(c2.messages.length, 6);
      expectProblem(assert, await ctx.srv.req('GET', '/api/messaging/conversation/banana', { token: ctx.dispatcher }), 400);
      expectProblem(assert, await ctx.srv.req('GET', `/api/messaging/conversation/${encodeURIComponent(to)}?cursor=zzz`, { token: ctx.dispatcher }), 400);
      expectProblem(assert, await ctx.srv.req('GET', `/api/messaging/conversation/${encodeURIComponent(to)}?limit=0`, { token: ctx.dispatcher }), 400);
      const v = await ctx.srv.req('GET', `/api/messaging/conversation/${encodeURIComponent(to)}`, { token: ctx.viewer });
      assert.equal(v.status, 200, 'a Viewer may read');
      const other = ctx.srv.token('other', 'owner', 'owner@other.test');
      const o = await ctx.srv.req('GET', `/api/messaging/conversation/${encodeURIComponent(to)}`, { token: other });
      assert.equal(o.json.messages.length, 0, 'another workspace sees nothing');
    });

    test('conversation: a Tech reads only the numbers of calls on their jobs', async () => {
      const to = freshNumber();
      const id = await ctx.call(to);
      assert.equal((await ctx.send(id, { template: 'general', message: 'before the job' })).status, 200);
      const convUrl = `/api/messaging/conversation/${encodeURIComponent(to)}`;
      expectProblem(assert, await ctx.srv.req('GET', convUrl, { token: ctx.tech }), 404);
      const techId = (await ctx.srv.req('GET', '/api/me', { token: ctx.tech })).json.user.id;
      const j = await ctx.srv.req('POST', `/api/calls/${id}/link-job`,
        { token: ctx.dispatcher, body: { title: 'Tech visit', assignedTo: techId } });
      assert.equal(j.status, 200, j.text);
      const mine = await ctx.conv(to, '', ctx.tech);
      assert.equal(mine.messages.length, 1);
      assert.equal(mine.messages[0].body.startsWith('before the job'), true, mine.messages[0].body);
      // Another number (a call not on their jobs) stays hidden.
      const elsewhere = freshNumber();
      await ctx.call(elsewhere);
      expectProblem(assert, await ctx.srv.req('GET', `/api/messaging/conversation/${encodeURIComponent(elsewhere)}`, { token: ctx.tech }), 404);
    });
  });
}

providerSuite('sim');
providerSuite('twilio');

describe('templates and campaign settings', () => {
  let ctx;
  before(async () => { ctx = await setup('sim'); });
  after(async () => { await ctx.stop(); });

  test('the built-in templates exist with their variables and categories', async () => {
    const r = await ctx.srv.req('GET', '/api/messaging/templates', { token: ctx.viewer });
    assert.equal(r.status, 200, r.text);
    const byId = Object.fromEntries(r.json.templates.map((t) => [t.id, t]));
    assert.deepEqual(Object.keys(byId), ['general', 'missed-call-text-back', 'on-my-way', 'appointment-confirmation',
      'estimate-follow-up', 'review-request']);
    assert.deepEqual(byId['appointment-confirmation'].variables, ['customerName', 'businessName', 'jobTime']);
    assert.equal(byId['review-request'].category, 'marketing');
    assert.equal(byId.general.category, 'transactional');
    assert.ok(r.json.templates.every((t) => t.builtIn && t.name && t.body));
  });

  test('Admin+ create, edit and delete the workspace\'s own; others cannot; built-ins are read-only', async () => {
    const body = { name: 'Parts arrived', body: 'Hi {{customerName}}, your {{part}} is in. Book at {{link}}', category: 'marketing' };
    expectProblem(assert, await ctx.srv.req('POST', '/api/messaging/templates', { token: ctx.dispatcher, body }), 403);
    let r = await ctx.srv.req('POST', '/api/messaging/templates', { token: ctx.admin, body });
    assert.equal(r.status, 201, r.text);
    const t = r.json.template;
    assert.deepEqual(t.variables, ['customerName', 'part', 'link']);
    assert.equal(t.builtIn, false);
    expectProblem(assert, await ctx.srv.req('POST', '/api/messaging/templates', { token: ctx.admin, body }), 409);
    r = await ctx.srv.req('POST', '/api/messaging/templates', { token: ctx.admin, body: { name: 'x', body: 'y', category: 'spam' } });
    assert.equal(r.json.errors[0].field, 'category');
    r = await ctx.srv.req('POST', '/api/messaging/templates', { token: ctx.admin, body: { name: 'x', body: 'y'.repeat(1601), category: 'marketing' } });
    assert.equal(r.json.errors[0].field, 'body');
    r = await ctx.srv.req('PATCH', `/api/messaging/templates/${t.id}`, { token: ctx.owner, body: { body: 'Your {{part}} is in.', category: 'transactional' } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.template.variables, ['part']);
    assert.equal(r.json.template.name, 'Parts arrived');
    expectProblem(assert, await ctx.srv.req('PATCH', '/api/messaging/templates/general', { token: ctx.owner, body: { body: 'x' } }), 403);
    expectProblem(assert, await ctx.srv.req('DELETE', '/api/messaging/templates/general', { token: ctx.owner }), 403);
    const other = ctx.srv.token('other', 'owner', 'owner2@other.test');
    expectProblem(assert, await ctx.srv.req('PATCH', `/api/messaging/templates/${t.id}`, { token: other, body: { body: 'x' } }), 404);
    // Sending with it.
    const to = freshNumber();
    const id = await ctx.call(to);
    const first = await ctx.send(id, { template: 'general', message: 'first' });
    await ctx.accepted(to, first.json.messageSid);
    r = await ctx.send(id, { template: t.id, variables: { part: 'valve' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.body, 'Your valve is in.');
    const list = (await ctx.srv.req('GET', '/api/messaging/templates', { token: ctx.tech })).json.templates;
    assert.equal(list.length, 7);
    expectProblem(assert, await ctx.srv.req('DELETE', `/api/messaging/templates/${t.id}`, { token: ctx.dispatcher }), 403);
    assert.equal((await ctx.srv.req('DELETE', `/api/messaging/templates/${t.id}`, { token: ctx.admin })).status, 204);
    expectProblem(assert, await ctx.srv.req('DELETE', `/api/messaging/templates/${t.id}`, { token: ctx.admin }), 404);
    expectProblem(assert, await ctx.send(id, { template: t.id, variables: { part: 'valve' } }), 400);
  });

  test('campaign settings: defaults, Admin+ only, validated', async () => {
    let r = await ctx.srv.req('GET', '/api/settings/messaging', { token: ctx.admin });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.messagesPerSecond, 10);
    assert.equal(r.json.dailyCapSegments, 2000);
    assert.equal(r.json.pricePerSegment, 0.0079);
    expectProblem(assert, await ctx.srv.req('GET', '/api/settings/messaging', { token: ctx.dispatcher }), 403);
    expectProblem(assert, await ctx.srv.req('POST', '/api/settings/messaging', { token: ctx.dispatcher, body: { messagesPerSecond: 5, dailyCapSegments: 9 } }), 403);
    r = await ctx.srv.req('POST', '/api/settings/messaging', { token: ctx.admin, body: { messagesPerSecond: 0, dailyCapSegments: -1 } });
    expectProblem(assert, r, 400);
    assert.deepEqual(r.json.errors.map((e) => e.field).sort(), ['dailyCapSegments', 'messagesPerSecond']);
    r = await ctx.srv.req('POST', '/api/settings/messaging', { token: ctx.owner, body: { messagesPerSecond: 25, dailyCapSegments: 5000 } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.messagesPerSecond, 25);
    assert.equal((await ctx.srv.req('GET', '/api/settings/messaging', { token: ctx.admin })).json.dailyCapSegments, 5000);
  });
});

describe('A2P pacing at the stand-in', () => {
  let ctx;
  before(async () => { ctx = await setup('twilio'); });
  after(async () => { await ctx.stop(); });

  test('messages go exactly at the campaign rate, and the daily cap holds the rest in the queue', async () => {
    let r = await ctx.srv.req('POST', '/api/settings/messaging', { token: ctx.admin, body: { messagesPerSecond: 5, dailyCapSegments: 13 } });
    assert.equal(r.status, 200, r.text);
    const to = freshNumber();
    const id = await ctx.call(to);
    const sids = [];
    for (let i = 0; i < 12; i++) {
      r = await ctx.send(id, { template: 'general', message: `msg ${i}` });
      assert.equal(r.status, 200, r.text);
      sids.push(r.json.messageSid);
    }
    // 12 one-segment messages fit the cap of 13.
    for (let end = Date.now() + 6000; Date.now() < end && ctx.standin.messagesTo(to).length < 12;) await sleep(50);
    const sent = ctx.standin.messagesTo(to);
    assert.equal(sent.length, 12);
    const times = ctx.standin.requests.filter((q) => q.method === 'POST' && q.form.To === to).map((q) => q.at);
    // No 1-second window holds more than 5 (10 ms of slack for the two clocks); the rate is 5/s.
    for (let i = 5; i < times.length; i++) assert.ok(times[i] - times[i - 5] >= 990, `window at ${i}: ${times}`);
    const rate = (times.length - 1) / ((times.at(-1) - times[0]) / 1000);
    assert.ok(rate <= 5.05 && rate > 4.6, `rate ${rate}/s`);
    // One more segment is allowed today (13), the next two wait in the queue.
    for (let i = 0; i < 3; i++) r = await ctx.send(id, { template: 'general', message: `late ${i}` });
    await sleep(1500);
    assert.equal(ctx.standin.messagesTo(to).length, 13);
    const c = await ctx.conv(to, '?limit=200');
    assert.deepEqual(c.messages.slice(-2).map((m) => m.status), ['queued', 'queued']);
    const s = (await ctx.srv.req('GET', '/api/settings/messaging', { token: ctx.admin })).json;
    assert.equal(s.usedTodaySegments, 13);
    // A scheduled message is not sent early when raising the cap wakes the held ones, which then go.
    const due = Date.now() + 2500;
    const sched = await ctx.send(id, { template: 'general', message: 'scheduled', scheduledFor: new Date(due).toISOString() });
    r = await ctx.srv.req('POST', '/api/settings/messaging', { token: ctx.admin, body: { messagesPerSecond: 5, dailyCapSegments: 100 } });
    assert.equal(r.status, 200, r.text);
    for (let end = Date.now() + 3000; Date.now() < end && ctx.standin.messagesTo(to).length < 15;) await sleep(50);
    assert.equal(ctx.standin.messagesTo(to).length, 15, 'the two held messages went');
    assert.equal(ctx.standin.messagesTo(to).filter((m) => m.body === 'scheduled').length, 0);
    const m = await ctx.status(to, sched.json.messageSid, 'delivered', 8000);
    assert.ok(Date.parse(m.sentAt) >= due - 5, `sent ${m.sentAt}`);
  });
});
