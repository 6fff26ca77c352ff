// Inbound telephony webhooks, routing and signatures (issue 5, second part):
// the AI receptionist target from SWITCHBOARD_AI_RECEPTIONIST_URL answered with
// Twilio's documented verbs (<Connect><Stream> for a wss:// media endpoint,
// <Redirect> for an https:// TwiML URL, <Dial><Sip> for a sip: URI, voicemail
// when none is set); signatures computed over SWITCHBOARD_PUBLIC_URL plus the
// request target exactly as sent (raw path and query, not re-encoded); many
// concurrent inbound calls (group commit) each created once, with its event.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Server, cli, expectProblem } from './harness.mjs';
import { postSigned, twilioSignature } from './twilio_sign.mjs';

const TOKEN = 'routing-auth-token';
const TRACKING = '+14155550140';
let seq = 0;
const sid = () => `CArt${Date.now()}${String(++seq).padStart(5, '0')}`;
const servers = [];
after(() => Promise.all(servers.map((s) => s.stop())));

async function serverWith(env, { routingMode = 'ai', afterHours = 'ai' } = {}) {
  const srv = await new Server({ env: { SWITCHBOARD_TWILIO_AUTH_TOKEN: TOKEN, ...env } }).start();
  servers.push(srv);
  srv.admin = srv.token('acme', 'admin', 'admin@acme.test');
  const r = await srv.req('POST', '/api/numbers', { token: srv.admin, body: { e164: TRACKING, routingMode, afterHours } });
  assert.equal(r.status, 201, r.text);
  return srv;
}

const ring = (srv, from, url = `${srv.base}/api/webhooks/telephony`) => postSigned(url, TOKEN,
  { CallSid: sid(), AccountSid: 'ACtest', From: from, To: TRACKING, CallStatus: 'ringing', Direction: 'inbound' });
async function calls(srv) {
  const all = [];
  for (let cursor = ''; ;) {
    const r = await srv.req('GET', `/api/calls?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: srv.admin });
    assert.equal(r.status, 200, r.text);
    all.push(...r.json.data);
    if (!(cursor = r.json.nextCursor)) return all;
  }
}

describe('AI receptionist', () => {
  test('wss:// → <Connect><Stream> with the call id; the call is an AI call', async () => {
    const srv = await serverWith({ SWITCHBOARD_AI_RECEPTIONIST_URL: 'wss://ai.example.test/media?tenant=acme&x=1' });
    const r = await ring(srv, '+12125550140');
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /^text\/xml/);
    const [call] = await calls(srv);
    assert.equal(call.agentType, 'ai');
    assert.equal(r.text, '<?xml version="1.0" encoding="UTF-8"?><Response><Connect>'
      + '<Stream url="wss://ai.example.test/media?tenant=acme&amp;x=1">'
      + `<Parameter name="callId" value="${call.id}"/></Stream></Connect></Response>`);
  });

  test('https:// → <Redirect method="POST">', async () => {
    const srv = await serverWith({ SWITCHBOARD_AI_RECEPTIONIST_URL: 'https://ai.example.test/twiml/inbound' });
    const r = await ring(srv, '+12125550141');
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /<Response><Redirect method="POST">https:\/\/ai\.example\.test\/twiml\/inbound<\/Redirect><\/Response>$/);
    assert.equal((await calls(srv)).length, 1);
  });

  test('sip: → <Dial><Sip>', async () => {
    const srv = await serverWith({ SWITCHBOARD_AI_RECEPTIONIST_URL: 'sip:receptionist@ai.example.test;transport=tls' });
    const r = await ring(srv, '+12125550142');
    assert.match(r.text, /<Response><Dial><Sip>sip:receptionist@ai\.example\.test;transport=tls<\/Sip><\/Dial><\/Response>$/);
  });

  test('not configured → voicemail; a human-routed number never goes to the AI', async () => {
    const srv = await serverWith({});
    let r = await ring(srv, '+12125550143');
    assert.match(r.text, /<Response><Say>[^<]+<\/Say><Record action="[^"]+\/api\/webhooks\/telephony"/);
    const human = await serverWith({ SWITCHBOARD_AI_RECEPTIONIST_URL: 'wss://ai.example.test/media' }, { routingMode: 'human', afterHours: 'vm' });
    r = await ring(human, '+12125550144');
    assert.doesNotMatch(r.text, /Stream|Redirect|Sip/);
  });

  test('a value that is no wss://, https:// or sip: target is refused at start-up', () => {
    const r = cli(['config', 'check'], { env: { SWITCHBOARD_AI_RECEPTIONIST_URL: 'ftp://ai.example.test' } });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr + r.stdout, /SWITCHBOARD_AI_RECEPTIONIST_URL/);
  });
});

describe('AI receptionist: the call\'s end says whether the AI took it', () => {
  const hook = (srv, params) => postSigned(`${srv.base}/api/webhooks/telephony`, TOKEN,
    { AccountSid: 'ACtest', To: TRACKING, Direction: 'inbound', ...params });
  // Twilio posts an inbound call no in-progress: its ringing, then its end.
  async function callEnding(srv, from, end) {
    const CallSid = sid();
    assert.equal((await hook(srv, { CallSid, From: from, CallStatus: 'ringing' })).status, 200);
    for (const params of end) {
      const r = await hook(srv, { CallSid, From: from, ...params });
      assert.equal(r.status, 200, r.text);
    }
    const row = (await calls(srv)).find((c) => c.callSid === CallSid);
    return (await srv.req('GET', `/api/calls/${row.id}`, { token: srv.admin })).json.call;
  }

  for (const target of ['wss://ai.example.test/media', 'https://ai.example.test/twiml', 'sip:receptionist@ai.example.test']) {
    test(`connected to ${target.split(':')[0]}: completed with a CallDuration → answered by the AI, not missed`, async () => {
      const srv = await serverWith({ SWITCHBOARD_AI_RECEPTIONIST_URL: target });
      const c = await callEnding(srv, '+12125550160', [{ CallStatus: 'completed', CallDuration: '45' }]);
      assert.equal(c.status, 'completed');
      assert.equal(c.disposition, 'answered');
      assert.equal(c.agentType, 'ai');
      assert.equal(c.durationSec, 45);
      assert.ok(c.answeredAt && c.endedAt);
      assert.ok(Date.parse(c.endedAt) - Date.parse(c.answeredAt) <= 45000 + 1000);
      assert.equal(c.outcomeRequired, false);
      assert.deepEqual(c.followUps.filter((f) => /SLA: missed/.test(f.note)), []);
      // Hung up before the AI said a word (no duration): missed, as any call.
      const short = await callEnding(srv, '+12125550161', [{ CallStatus: 'completed', CallDuration: '0' }]);
      assert.equal(short.disposition, 'missed');
      // The caller hung up while it rang: missed.
      const gone = await callEnding(srv, '+12125550162', [{ CallStatus: 'no-answer', CallDuration: '0' }]);
      assert.equal(gone.disposition, 'missed');
    });
  }

  test('no receptionist configured: voicemail answered, so today\'s voicemail/missed outcome, and a human call', async () => {
    const srv = await serverWith({});
    // The greeting played (CallDuration > 0), no message: missed.
    const c = await callEnding(srv, '+12125550163', [{ CallStatus: 'completed', CallDuration: '12' }]);
    assert.equal(c.agentType, 'human', 'nobody, and no AI, took it');
    assert.equal(c.status, 'completed');
    assert.equal(c.disposition, 'missed');
    assert.ok(c.followUps.some((f) => f.status === 'open' && /SLA: missed/.test(f.note)));
    // A message left (the <Record> action): voicemail.
    const RecordingSid = `RE${sid().slice(2)}`;
    const vm = await callEnding(srv, '+12125550164', [
      { CallStatus: 'in-progress', RecordingSid, RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/ACtest/Recordings/${RecordingSid}`, RecordingDuration: '9' },
      { CallStatus: 'completed', CallDuration: '30' }]);
    assert.equal(vm.status, 'voicemail');
    assert.equal(vm.agentType, 'human');
  });
});

describe('signature URL: public base URL + the request target exactly as sent', () => {
  const PUBLIC = 'https://hooks.example.test';
  const QUERY = '?b=2&a=one%20two&c=x,y&a=3';
  let srv;

  test('signed over SWITCHBOARD_PUBLIC_URL and the raw query (order and encoding kept) → 200', async () => {
    srv = await serverWith({ SWITCHBOARD_PUBLIC_URL: `${PUBLIC}/` }, { routingMode: 'human', afterHours: 'vm' });
    const params = { CallSid: sid(), From: '+12125550150', To: TRACKING, CallStatus: 'ringing', Direction: 'inbound' };
    const signature = twilioSignature(TOKEN, `${PUBLIC}/api/webhooks/telephony${QUERY}`, params);
    const r = await postSigned(`${srv.base}/api/webhooks/telephony${QUERY}`, TOKEN, params, { signature });
    assert.equal(r.status, 200, r.text);
    assert.ok((await calls(srv)).some((c) => c.callSid === params.CallSid));
  });

  test('the same query encoded differently, reordered, or the local URL signed → 403, nothing created', async () => {
    const before = (await calls(srv)).length;
    const params = { CallSid: sid(), From: '+12125550151', To: TRACKING, CallStatus: 'ringing', Direction: 'inbound' };
    for (const signedOver of [
      `${PUBLIC}/api/webhooks/telephony?b=2&a=one+two&c=x,y&a=3`,
      `${PUBLIC}/api/webhooks/telephony?b=2&a=one%20two&c=x%2Cy&a=3`,
      `${PUBLIC}/api/webhooks/telephony?a=one%20two&a=3&b=2&c=x,y`,
      `${PUBLIC}/api/webhooks/telephony`,
      `${srv.base}/api/webhooks/telephony${QUERY}`,
    ]) {
      const signature = twilioSignature(TOKEN, signedOver, params);
      expectProblem(assert, await postSigned(`${srv.base}/api/webhooks/telephony${QUERY}`, TOKEN, params, { signature }), 403);
    }
    assert.equal((await calls(srv)).length, before);
  });
});

describe('group commit under concurrency', () => {
  test('200 concurrent inbound calls (some delivered twice) → each created once, with its new_call event', async () => {
    const srv = await serverWith({}, { routingMode: 'human', afterHours: 'vm' });
    const url = `${srv.base}/api/webhooks/telephony`;
    const sids = Array.from({ length: 200 }, () => sid());
    const post = (s, i) => postSigned(url, TOKEN,
      { CallSid: s, AccountSid: 'ACtest', From: `+1212555${String(1000 + i)}`, To: TRACKING, CallStatus: 'ringing', Direction: 'inbound' });
    const results = await Promise.all([...sids.map(post), ...sids.slice(0, 50).map(post)]);
    for (const r of results) assert.equal(r.status, 200, r.text);
    const all = await calls(srv);
    assert.equal(all.length, 200);
    assert.deepEqual(new Set(all.map((c) => c.callSid)), new Set(sids));
    // Searchable by the caller's number (the batch's search rows).
    const found = await srv.req('GET', '/api/calls?limit=5&search=2125551007', { token: srv.admin });
    assert.deepEqual(found.json.data.map((c) => c.callSid), [sids[7]]);
    // Audited once.
    const events = await srv.req('GET', `/api/audit/calls/${all[0].id}`, { token: srv.admin });
    assert.deepEqual(events.json.events.map((e) => e.action), ['call.created']);
  });
});
