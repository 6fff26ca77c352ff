// Spam handling: marking a call (with and without blocking its number, audit,
// call_updated, hidden from the list), training (idempotent per call,
// re-labelling moves the example), the report (counts by reason and period,
// top numbers, blocked count, cross-validated precision/recall), roles and
// validation, new inbound calls scored by the model, and training on part of
// a seeded workspace moving the scores of the held-out part the right way.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { Server, cli, expectProblem } from './harness.mjs';
import { postSigned } from './twilio_sign.mjs';

const TWILIO = 'spam-test-auth-token';
let srv, owner, admin, dispatcher, tech, viewer, otherAdmin, heldAdmin;
let sidSeq = 0;

const list = async (q, token = owner) => (await srv.req('GET', `/api/calls?limit=100&${q}`, { token })).json.data;
const markSpam = (id, body, token = dispatcher) => srv.req('POST', `/api/calls/${id}/mark-spam`, { token, body });
const train = (body, token = admin) => srv.req('POST', '/api/spam/train', { token, body });
const score = async (id, token = owner) => (await srv.req('GET', `/api/calls/${id}/spam-score`, { token })).json;
const report = async (q = '', token = owner) => srv.req('GET', `/api/spam/reports${q}`, { token });
const auditOf = async (id) => (await srv.req('GET', `/api/audit/calls/${id}`, { token: owner })).json.events;
const inbound = (params) => postSigned(`${srv.base}/api/webhooks/telephony`, TWILIO,
  { CallSid: `CA${Date.now()}${String(++sidSeq).padStart(6, '0')}`, AccountSid: 'ACtest', CallStatus: 'ringing',
    Direction: 'inbound', ApiVersion: '2010-04-01', ...params });

before(async () => {
  srv = new Server({ env: { SWITCHBOARD_TWILIO_AUTH_TOKEN: TWILIO } });
  for (const [ws, seed] of [['acme', '11'], ['held', '12']]) {
    const r = cli(['seed', '--calls', '1500', '--workspace', ws, '--seed', seed], { dataDir: srv.dataDir });
    assert.equal(r.status, 0, r.stderr);
  }
  await srv.start();
  owner = srv.token('acme', 'owner', 'owner@acme.test');
  admin = srv.token('acme', 'admin', 'admin@acme.test');
  dispatcher = srv.token('acme', 'dispatcher', 'disp@acme.test');
  tech = srv.token('acme', 'tech', 'tech@acme.test');
  viewer = srv.token('acme', 'viewer', 'viewer@acme.test');
  otherAdmin = srv.token('other', 'admin', 'admin@other.test');
  heldAdmin = srv.token('held', 'admin', 'admin@held.test');
});
after(() => srv.stop());

describe('mark-spam', () => {
  test('marks, hides from the list, audits (source api), announces call_updated and trains the model', async () => {
    const [call] = await list('disposition=answered&direction=in');
    assert.ok(call && !call.spam);
    const before = (await report()).json.model;
    const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/ws/calls?token=${dispatcher}`);
    const events = [];
    ws.on('message', (m) => events.push(JSON.parse(m.toString())));
    await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });

    const r = await markSpam(call.id, { reason: 'telemarketer' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.call.id, call.id);
    assert.equal(r.json.call.spam, true);
    assert.equal(r.json.call.spamReason, 'telemarketer');
    assert.equal(r.json.call.disposition, 'spam');
    assert.equal(r.json.call.queueStatus, 'none');
    assert.equal(r.json.blocked, false);
    assert.equal(r.json.newlyBlocked, false);

    const digits = call.fromE164.slice(2);
    assert.ok(!(await list(`search=${digits}`)).some((c) => c.id === call.id), 'hidden from the default list');
    assert.ok((await list(`spam=only&search=${digits}`)).some((c) => c.id === call.id), 'listed when spam is asked');

    const ev = (await auditOf(call.id)).find((e) => e.action === 'call.marked_spam');
    assert.ok(ev, 'audited');
    assert.equal(ev.source, 'api');
    assert.equal(ev.actor, 'disp@acme.test');
    assert.deepEqual(ev.diff.spam, { from: false, to: true });
    assert.equal(ev.metadata.reason, 'telemarketer');

    const end = Date.now() + 3000;
    while (Date.now() < end && !events.some((e) => e.type === 'call_updated' && e.data?.callId === call.id)) {
      await new Promise((res) => setTimeout(res, 20));
    }
    ws.close();
    const upd = events.find((e) => e.type === 'call_updated' && e.data?.callId === call.id);
    assert.ok(upd, 'call_updated announced: ' + JSON.stringify(events.map((e) => e.type)));
    assert.equal(upd.data.action, 'call.marked_spam');

    const afterModel = (await report()).json.model;
    assert.equal(afterModel.spamExamples, before.spamExamples + 1);

    // Marking again changes nothing and still counts the call once.
    const again = await markSpam(call.id, { reason: 'telemarketer' });
    assert.equal(again.status, 200, again.text);
    assert.equal((await report()).json.model.spamExamples, before.spamExamples + 1);
    assert.equal((await auditOf(call.id)).filter((e) => e.action === 'call.marked_spam').length, 1);
  });

  test('blockNumber: the caller joins the blocked numbers (source spam), once', async () => {
    const all = '?from=2026-01-01T00:00:00Z&to=2026-12-31T00:00:00Z';
    const rep0 = (await report(all)).json;
    const top = rep0.topNumbers[0];
    assert.equal(top.blocked, false);
    const calls = (await list(`spam=only&search=${top.e164.slice(2)}`)).filter((c) => c.fromE164 === top.e164);
    assert.ok(calls.length >= 2, `${calls.length} calls from ${top.e164}`);
    const r = await markSpam(calls[0].id, { reason: 'robocall', blockNumber: true }, admin);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.blocked, true);
    assert.equal(r.json.newlyBlocked, true);
    assert.equal(r.json.call.spamReason, 'robocall');
    const rep1 = (await report(all)).json;
    assert.equal(rep1.blockedCount, rep0.blockedCount + 1);
    assert.equal(rep1.topNumbers.find((n) => n.e164 === top.e164).blocked, true, 'the caller appears as blocked');
    const events = await auditOf(calls[0].id);
    assert.equal(events.find((e) => e.action === 'call.marked_spam').metadata.blockNumber, true);

    // A second call from the same number, blocked again: already on the list, counted once.
    const r2 = await markSpam(calls[1].id, { reason: 'robocall', blockNumber: true }, owner);
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r2.json.blocked, true);
    assert.equal(r2.json.newlyBlocked, false);
    assert.equal((await report(all)).json.blockedCount, rep0.blockedCount + 1);
  });

  test('roles: dispatcher may mark but not block; viewer may not; tech only their jobs; other workspace 404', async () => {
    const [call] = await list('disposition=answered&direction=in');
    const denied = await markSpam(call.id, { reason: 'robocall', blockNumber: true }, dispatcher);
    expectProblem(assert, denied, 403);
    const still = (await srv.req('GET', `/api/calls/${call.id}`, { token: owner })).json.call;
    assert.equal(still.spam, false, 'nothing written');
    expectProblem(assert, await markSpam(call.id, { reason: 'robocall' }, viewer), 403);
    expectProblem(assert, await markSpam(call.id, { reason: 'robocall' }, tech), 404);
    expectProblem(assert, await markSpam(call.id, { reason: 'robocall' }, otherAdmin), 404);
    expectProblem(assert, await srv.req('POST', `/api/calls/${call.id}/mark-spam`, { body: { reason: 'robocall' } }), 401);
  });

  test('validation names the field', async () => {
    const [call] = await list('disposition=answered&direction=in');
    for (const [body, field] of [[{}, 'reason'], [{ reason: 'phishing' }, 'reason'], [{ reason: 7 }, 'reason'],
      [{ reason: 'robocall', blockNumber: 'yes' }, 'blockNumber'], [{ reason: 'robocall', extra: 1 }, 'extra']]) {
      const r = await markSpam(call.id, body);
      expectProblem(assert, r, 400);
      assert.ok(r.json.errors.some((e) => e.field === field), `${JSON.stringify(body)}: ${r.text}`);
    }
    expectProblem(assert, await markSpam('0190aaaa-0000-7000-8000-000000000000', { reason: 'robocall' }), 404);
    const raw = await srv.req('POST', `/api/calls/${call.id}/mark-spam`, { token: dispatcher, raw: '{', headers: { 'Content-Type': 'application/json' } });
    expectProblem(assert, raw, 400);
  });
});

describe('train', () => {
  test('idempotent per call; a re-label moves the example; the score follows', async () => {
    const [call] = await list('disposition=callback&direction=in');
    const m0 = (await report()).json.model;
    const a = await train({ callId: call.id, isSpam: true, reason: 'repeat_silent' });
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.callId, call.id);
    assert.equal(a.json.isSpam, true);
    assert.equal(a.json.relabelled, false);
    assert.ok(Number.isInteger(a.json.spamScore) && a.json.spamScore >= 0 && a.json.spamScore <= 100);
    assert.ok(a.json.features.pfx && a.json.features.contact);
    const m1 = (await report()).json.model;
    assert.equal(m1.spamExamples, m0.spamExamples + 1);
    assert.equal(m1.hamExamples, m0.hamExamples);

    const b = await train({ callId: call.id, isSpam: true, reason: 'repeat_silent' });
    assert.equal(b.json.relabelled, true);
    assert.equal(b.json.previousIsSpam, true);
    assert.equal(b.json.spamScore, a.json.spamScore, 'the same label twice counts once');
    assert.deepEqual((await report()).json.model, m1);

    const c = await train({ callId: call.id, isSpam: false });
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.relabelled, true);
    assert.equal(c.json.previousIsSpam, true);
    assert.ok(c.json.spamScore < a.json.spamScore, `${c.json.spamScore} < ${a.json.spamScore}`);
    const m2 = (await report()).json.model;
    assert.equal(m2.spamExamples, m0.spamExamples);
    assert.equal(m2.hamExamples, m0.hamExamples + 1);
    // The call itself is untouched; the label is audited on it.
    const now = (await srv.req('GET', `/api/calls/${call.id}`, { token: owner })).json.call;
    assert.equal(now.spam, false);
    const trained = (await auditOf(call.id)).filter((e) => e.action === 'spam.trained');
    assert.equal(trained.length, 3);
    assert.equal(trained[2].metadata.isSpam, false);
    assert.equal(trained[0].source, 'api');
  });

  test('roles and validation', async () => {
    const [call] = await list('disposition=answered&direction=in');
    for (const t of [dispatcher, viewer, tech]) expectProblem(assert, await train({ callId: call.id, isSpam: true }, t), 403);
    expectProblem(assert, await train({ callId: call.id, isSpam: true }, otherAdmin), 404);
    expectProblem(assert, await train({ callId: '0190aaaa-0000-7000-8000-000000000000', isSpam: true }), 404);
    for (const [body, field] of [[{ isSpam: true }, 'callId'], [{ callId: call.id }, 'isSpam'],
      [{ callId: call.id, isSpam: 'true' }, 'isSpam'], [{ callId: call.id, isSpam: true, reason: 'x' }, 'reason'],
      [{ callId: call.id, isSpam: false, reason: 'robocall' }, 'reason'], [{ callId: call.id, isSpam: true, y: 1 }, 'y']]) {
      const r = await train(body);
      expectProblem(assert, r, 400);
      assert.ok(r.json.errors.some((e) => e.field === field), `${JSON.stringify(body)}: ${r.text}`);
    }
    expectProblem(assert, await srv.req('POST', '/api/spam/train', { body: { callId: call.id, isSpam: true } }), 401);
  });
});

describe('reports', () => {
  test('counts by reason and period, top numbers, blocked count, measured precision/recall', async () => {
    const r = await report('?from=2026-01-01T00:00:00Z&to=2026-12-31T00:00:00Z');
    assert.equal(r.status, 200, r.text);
    const rep = r.json;
    assert.equal(rep.period, 'day');
    assert.equal(rep.timeZone, 'America/New_York');
    assert.ok(rep.spamCalls > 0 && rep.inboundCalls > rep.spamCalls);
    const byReason = Object.values(rep.byReason).reduce((x, y) => x + y, 0);
    assert.equal(byReason, rep.periods.reduce((x, p) => x + p.total, 0));
    for (const p of rep.periods) {
      assert.match(p.start, /^\d{4}-\d{2}-\d{2}$/);
      assert.equal(p.total, p.robocall + p.telemarketer + p.repeat_silent + p.unspecified);
    }
    assert.equal(rep.periods.length, 365); // local days 2025-12-31 .. 2026-12-30
    assert.ok(rep.topNumbers.length > 0 && rep.topNumbers.length <= 10);
    for (let i = 1; i < rep.topNumbers.length; i++) assert.ok(rep.topNumbers[i - 1].calls >= rep.topNumbers[i].calls);
    // Spam calls of the top number = what the list says.
    const top = rep.topNumbers[0];
    const rows = (await list(`spam=only&search=${encodeURIComponent(top.e164)}&from=2026-01-01T00:00:00Z`));
    assert.equal(rows.filter((c) => c.fromE164 === top.e164).length, top.calls);
    assert.equal(typeof rep.blockedCount, 'number');
    assert.equal(rep.model.threshold, 80);
    assert.ok(rep.model.evaluation.method.includes('cross-validation'));

    const week = (await report('?period=week&from=2026-11-02T05:00:00Z&to=2026-11-23T05:00:00Z')).json;
    assert.equal(week.period, 'week');
    assert.deepEqual(week.periods.map((p) => p.start), ['2026-11-02', '2026-11-09', '2026-11-16']);
  });

  test('precision and recall are measured on held-out folds once the model has examples', async () => {
    const r = cli(['spam', 'train', '--workspace', 'acme', '--limit', '600'], { dataDir: srv.dataDir });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^trained=600$/m);
    const ev = (await report()).json.model.evaluation;
    assert.ok(ev.examples >= 600, JSON.stringify(ev));
    assert.equal(ev.folds, 5);
    assert.equal(ev.truePositives + ev.falsePositives + ev.falseNegatives + ev.trueNegatives, ev.examples);
    assert.ok(ev.precision > 0.7 && ev.precision <= 1, `precision ${ev.precision}`);
    assert.ok(ev.recall > 0.5 && ev.recall <= 1, `recall ${ev.recall}`);
    // Re-running the bootstrap counts nothing twice.
    const before = (await report()).json.model;
    assert.equal(cli(['spam', 'train', '--workspace', 'acme', '--limit', '600'], { dataDir: srv.dataDir }).status, 0);
    assert.deepEqual((await report()).json.model.examples, before.examples);
  });

  test('roles and parameters', async () => {
    assert.equal((await report('', viewer)).status, 200);
    assert.equal((await report('', dispatcher)).status, 200);
    expectProblem(assert, await report('', tech), 403);
    expectProblem(assert, await srv.req('GET', '/api/spam/reports'), 401);
    assert.equal((await report('', otherAdmin)).json.spamCalls, 0, 'another workspace sees its own (empty) data');
    for (const [q, field] of [['?period=month', 'period'], ['?from=yesterday', 'from'], ['?to=2026-13-01', 'to'],
      ['?from=2026-05-01T00:00:00Z&to=2026-04-01T00:00:00Z', 'from'], ['?from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'from']]) {
      const r = await report(q);
      expectProblem(assert, r, 400);
      assert.ok(r.json.errors.some((e) => e.field === field), `${q}: ${r.text}`);
    }
  });
});

describe('inbound calls are scored', () => {
  test('every new inbound call gets a spamScore; a likely robocaller is flagged and hidden', async () => {
    const numbers = (await srv.req("GET", "/api/numbers", { token: owner })).json.data;
    const main = numbers[0].e164;
    // An ordinary caller with a person's name.
    const ok = await inbound({ From: '+16175550123', To: main, CallerName: 'Jane Doe' });
    assert.equal(ok.status, 200, ok.text);
    const plain = (await list('spam=true&search=6175550123'))[0];
    assert.ok(Number.isInteger(plain.spamScore) && plain.spamScore < 80, JSON.stringify(plain));
    assert.equal(plain.spam, false);

    // A neighbour-spoofing caller, already heard from in short silent calls, that
    // the carrier labels "SPAM LIKELY", once the model has learned from the seeded history.
    const spoof = `${main.slice(0, 8)}9876`;
    for (let i = 0; i < 3; i++) {
      const sid = `CAsilent${Date.now()}${i}`;
      await inbound({ CallSid: sid, From: spoof, To: main, CallerName: 'SPAM LIKELY' });
      const st = await postSigned(`${srv.base}/api/webhooks/telephony`, TWILIO,
        { CallSid: sid, AccountSid: 'ACtest', CallStatus: 'no-answer', Direction: 'inbound', From: spoof, To: main, CallDuration: '0' });
      assert.equal(st.status, 200, st.text);
    }
    const last = await inbound({ From: spoof, To: main, CallerName: 'SPAM LIKELY' });
    assert.equal(last.status, 200, last.text);
    const rows = await list(`spam=true&search=${spoof.slice(2)}`);
    const newest = rows.sort((x, y) => y.startedAt.localeCompare(x.startedAt))[0];
    const why = await score(newest.id);
    assert.equal(why.features.name, 'spam_label');
    assert.equal(why.features.nbr, 'same_nxx');
    assert.equal(why.features.rpt, 'many');
    assert.ok(newest.spamScore >= 80, `score ${newest.spamScore}: ${JSON.stringify(why)}`);
    assert.equal(newest.spam, true);
    assert.equal(newest.queueStatus, 'none');
    assert.ok(!(await list(`search=${spoof.slice(2)}`)).some((c) => c.id === newest.id), 'hidden unless spam is asked');
  });

  test('spam-score: read roles, 404 outside', async () => {
    const [call] = await list('disposition=answered&direction=in');
    assert.equal((await srv.req('GET', `/api/calls/${call.id}/spam-score`, { token: viewer })).status, 200);
    expectProblem(assert, await srv.req('GET', `/api/calls/${call.id}/spam-score`, { token: tech }), 404);
    expectProblem(assert, await srv.req('GET', `/api/calls/${call.id}/spam-score`, { token: otherAdmin }), 404);
    expectProblem(assert, await srv.req('GET', `/api/calls/${call.id}/spam-score`), 401);
  });
});

describe('held-out seeded calls', () => {
  test('training on part of a seeded workspace moves the held-out scores the right way', async (t) => {
    const get = async (q) => (await srv.req('GET', `/api/calls?limit=100&direction=in&${q}`, { token: heldAdmin })).json.data
      .filter((c) => c.endedAt);
    const spam = (await get('spam=only')).slice(0, 60);
    const ham = [...await get('disposition=booked'), ...await get('disposition=answered')].slice(0, 120);
    assert.ok(spam.length >= 40 && ham.length >= 80, `${spam.length} spam, ${ham.length} ham`);
    const trainSet = [...spam.filter((_, i) => i % 2 === 0), ...ham.filter((_, i) => i % 2 === 0)];
    const heldSpam = spam.filter((_, i) => i % 2 === 1);
    const heldHam = ham.filter((_, i) => i % 2 === 1);
    const scores = async (calls) => Promise.all(calls.map(async (c) =>
      (await srv.req('GET', `/api/calls/${c.id}/spam-score`, { token: heldAdmin })).json.spamScore));
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

    const spamBefore = await scores(heldSpam);
    const hamBefore = await scores(heldHam);
    for (const c of trainSet) {
      const r = await train({ callId: c.id, isSpam: Boolean(c.spam) }, heldAdmin);
      assert.equal(r.status, 200, r.text);
    }
    const spamAfter = await scores(heldSpam);
    const hamAfter = await scores(heldHam);
    assert.ok(mean(spamAfter) > mean(spamBefore), `held-out spam ${mean(spamBefore)} -> ${mean(spamAfter)}`);
    assert.ok(mean(hamAfter) < mean(hamBefore), `held-out ham ${mean(hamBefore)} -> ${mean(hamAfter)}`);
    // And the trained model separates them: most held-out spam flagged, almost no ham.
    const flagged = spamAfter.filter((s) => s >= 80).length / spamAfter.length;
    const falseFlags = hamAfter.filter((s) => s >= 80).length / hamAfter.length;
    t.diagnostic(`held-out: ${heldSpam.length} spam ${mean(spamBefore).toFixed(1)} -> ${mean(spamAfter).toFixed(1)}, ` +
      `${heldHam.length} ham ${mean(hamBefore).toFixed(1)} -> ${mean(hamAfter).toFixed(1)}, flagged ${flagged.toFixed(2)}, false flags ${falseFlags.toFixed(2)}`);
    assert.ok(flagged >= 0.6, `held-out spam flagged ${flagged}`);
    assert.ok(falseFlags <= 0.05, `held-out ham flagged ${falseFlags}`);
  });
});
