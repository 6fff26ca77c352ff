-- wrk script: POSTs signed Twilio inbound-call webhooks, each with a distinct
-- CallSid (so each one creates a call). wrk's LuaJIT has no HMAC, so the
-- signed requests are generated beforehand (bench/webhook_bench.sh, with node
-- crypto) into a file of lines "<X-Twilio-Signature>\t<form body>"; thread i of
-- n takes lines i, i+n, i+2n, ... so no CallSid is sent twice.
--
-- WEBHOOK_RATE (requests/s over all threads, unset: as fast as the connections
-- allow): each thread books send slots on its own fixed grid, so the offered
-- load holds the rate whatever the latency (latency is still send → answer).
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } sb_timespec;
int clock_gettime(int clk, sb_timespec *ts);
]]
local ts = ffi.new("sb_timespec")
local function now_ms()
   ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
   return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local threads = {}
local counter = 0

function setup(thread)
   thread:set("id", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

function init(args)
   local path = os.getenv("WEBHOOK_REQS") or "/tmp/webhook_reqs.tsv"
   local nthreads = tonumber(os.getenv("WEBHOOK_THREADS") or "2")
   sigs, bodies = {}, {}
   local i = 0
   for line in io.lines(path) do
      if i % nthreads == id then
         local tab = line:find("\t", 1, true)
         sigs[#sigs + 1] = line:sub(1, tab - 1)
         bodies[#bodies + 1] = line:sub(tab + 1)
      end
      i = i + 1
   end
   pos = 0
   local rate = tonumber(os.getenv("WEBHOOK_RATE") or "")
   interval = rate and rate > 0 and nthreads * 1000 / rate or nil
   next_slot = nil
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function delay()
   if not interval then return 0 end
   local now = now_ms()
   if not next_slot or next_slot < now - 1000 then next_slot = now end
   local slot = next_slot
   next_slot = next_slot + interval
   return slot > now and math.floor(slot - now) or 0
end

function request()
   pos = pos + 1
   if pos > #bodies then pos = 1 end -- ran out: replays (answered 200, nothing created)
   wrk.headers["X-Twilio-Signature"] = sigs[pos]
   return wrk.format(nil, "/api/webhooks/telephony", nil, bodies[pos])
end

function done(summary, latency, requests)
   io.write(string.format("RESULT requests=%d errors_status=%d errors_timeout=%d errors_socket=%d rps=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
      summary.requests, summary.errors.status, summary.errors.timeout,
      summary.errors.connect + summary.errors.read + summary.errors.write, summary.requests / (summary.duration / 1e6),
      latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
