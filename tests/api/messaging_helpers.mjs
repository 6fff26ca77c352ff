// Shared setup of the messaging API tests: a server with an SMS provider
// (the built-in simulator, or the Twilio client against the local stand-in),
// a tracking number, tokens per role, calls from chosen customer numbers
// (created by signed inbound-call webhooks), and small helpers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { Server } from './harness.mjs';
import { TwilioStandin } from './twilio_standin.mjs';
import { postSigned } from './twilio_sign.mjs';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const TRACKING = '+14155550123';

const AREAS = ['212', '213', '305', '312', '404', '503', '602', '617', '646', '702', '713', '718', '720', '917', '206',
  '303', '512', '615', '619', '704'];
let seq = 0;
// A customer number not used before in this process, ending in `tail` (4 digits) when given.
export function freshNumber(tail) {
  const i = seq++;
  const t = tail ?? String(2000 + Math.floor(i / AREAS.length) * 7 + (i % 7));
  return `+1${AREAS[i % AREAS.length]}555${t}`;
}

export async function setup(provider, env = {}) {
  const ctx = { provider };
  const authToken = randomBytes(16).toString('hex');
  const accountSid = 'AC' + randomBytes(16).toString('hex');
  ctx.authToken = authToken;
  const e = { SWITCHBOARD_SMS: provider, SWITCHBOARD_TWILIO_AUTH_TOKEN: authToken, SWITCHBOARD_TWILIO_ACCOUNT_SID: accountSid, ...env };
  if (provider === 'twilio') {
    ctx.standin = await new TwilioStandin({ accountSid, authToken, firstEventMs: 150, stepMs: 100 }).start();
    e.SWITCHBOARD_TWILIO_BASE_URL = ctx.standin.base;
  }
  ctx.srv = await new Server({ env: e }).start();
  ctx.owner = ctx.srv.token('acme', 'owner', 'owner@acme.test');
  ctx.admin = ctx.srv.token('acme', 'admin', 'admin@acme.test');
  ctx.dispatcher = ctx.srv.token('acme', 'dispatcher', 'disp@acme.test');
  ctx.tech = ctx.srv.token('acme', 'tech', 'tech@acme.test');
  ctx.viewer = ctx.srv.token('acme', 'viewer', 'viewer@acme.test');
  const n = await ctx.srv.req('POST', '/api/numbers', { token: ctx.admin, body: { e164: TRACKING, label: 'main' } });
  assert.equal(n.status, 201, n.text);
  ctx.smsHook = () => `http://127.0.0.1:${ctx.srv.port}/api/webhooks/sms`;
  ctx.telHook = () => `http://127.0.0.1:${ctx.srv.port}/api/webhooks/telephony`;

  // A call from customer to our tracking number; returns its id.
  ctx.call = async (customer) => {
    const sid = 'CA' + randomBytes(16).toString('hex');
    const r = await postSigned(ctx.telHook(), authToken, { CallSid: sid, AccountSid: accountSid, From: customer, To: TRACKING,
      CallStatus: 'ringing', Direction: 'inbound', ApiVersion: '2010-04-01' });
    assert.equal(r.status, 200, r.text);
    const list = await ctx.srv.req('GET', `/api/calls?limit=5&search=${encodeURIComponent(customer)}&spam=true`, { token: ctx.owner });
    const row = list.json.data.find((c) => c.callSid === sid);
    assert.ok(row, 'the inbound call is listed');
    return row.id;
  };
  ctx.send = (callId, body, token = ctx.dispatcher) => ctx.srv.req('POST', `/api/calls/${callId}/send-sms`, { token, body });
  ctx.conv = async (number, q = '', token = ctx.dispatcher) => {
    const r = await ctx.srv.req('GET', `/api/messaging/conversation/${encodeURIComponent(number)}${q}`, { token });
    assert.equal(r.status, 200, r.text);
    return r.json;
  };
  // Waits until the message sid has status (or ms pass); returns the message.
  ctx.waitFor = async (number, pred, ms = 8000) => {
    let last;
    for (const end = Date.now() + ms; Date.now() < end;) {
      last = await ctx.conv(number, '?limit=200');
      const m = last.messages.find(pred);
      if (m) return m;
      await sleep(40);
    }
    assert.fail(`no such message to ${number}: ${JSON.stringify(last?.messages)}`);
  };
  ctx.status = (number, sid, status, ms) => ctx.waitFor(number, (m) => m.messageSid === sid && m.status === status, ms);
  // Waits until the vendor accepted message sid (it has a sentAt): the next send to the number needs no opt-out wording.
  // The server's clock set to an instant (POST /api/test/clock); a call's audit trail; its gate decisions.
  ctx.setClock = async (iso) => {
    const r = await ctx.srv.req('POST', '/api/test/clock', { token: ctx.owner, body: { offsetMs: Date.parse(iso) - Date.now() } });
    if (r.status !== 200) throw new Error(`test clock: ${r.status} ${r.text}`);
  };
  ctx.auditOf = async (id) => (await ctx.srv.req('GET', `/api/audit/calls/${id}`, { token: ctx.owner })).json.events;
  ctx.gateEvents = async (id) => (await ctx.auditOf(id)).filter((e) => e.action.startsWith('compliance.'));
  ctx.accepted = (number, sid, ms) => ctx.waitFor(number, (m) => m.messageSid === sid && m.sentAt, ms);
  // An inbound SMS from customer to our number, signed like Twilio.
  ctx.inbound = async (from, body, sid = 'SM' + randomBytes(16).toString('hex'), extra = {}) => {
    const params = { ToCountry: 'US', SmsMessageSid: sid, NumMedia: '0', SmsSid: sid, SmsStatus: 'received', Body: body,
      To: TRACKING, NumSegments: '1', MessageSid: sid, AccountSid: accountSid, From: from, ApiVersion: '2010-04-01', ...extra };
    const r = await postSigned(ctx.smsHook(), authToken, params);
    return { ...r, sid };
  };
  ctx.callback = (params) => postSigned(ctx.smsHook() + (params.m ? `?m=${params.m}` : ''), authToken,
    Object.fromEntries(Object.entries({ AccountSid: accountSid, ApiVersion: '2010-04-01', ...params }).filter(([k]) => k !== 'm')));
  ctx.sql = (q) => execFileSync('sqlite3', [`${ctx.srv.dataDir}/switchboard.db`, q], { encoding: 'utf8' }).trim();
  ctx.stop = async () => {
    await ctx.srv?.stop();
    await ctx.standin?.stop();
  };
  return ctx;
}
