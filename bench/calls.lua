-- wrk script for the calls benchmarks (bench/run.sh): sends the dispatcher's
-- bearer token (BENCH_TOKEN) with every request and, at the end, prints one
-- machine-readable line that run.sh parses:
--   RESULT requests=N seconds=S rps=R p50_ms=.. p90_ms=.. p99_ms=.. max_ms=.. errors=E non2xx=M
-- With BENCH_IDS (a file of call ids, one a line) each request asks for the
-- next call's detail (/api/calls/:id) instead of the URL's path, so the detail
-- benchmark does not read one cached row over and over.

local ids = nil
local pos = 0

function init(args)
   wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "")
   wrk.headers["Accept"] = "application/json"
   local file = os.getenv("BENCH_IDS")
   if file and file ~= "" then
      ids = {}
      for line in io.lines(file) do
         if #line > 0 then ids[#ids + 1] = line end
      end
      pos = math.random(#ids)
   end
end

function request()
   if ids then
      pos = pos % #ids + 1
      return wrk.format("GET", "/api/calls/" .. ids[pos])
   end
   return wrk.format("GET")
end

function done(summary, latency, requests)
   local e = summary.errors
   local secs = summary.duration / 1e6
   io.write(string.format(
      "RESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f errors=%d non2xx=%d\n",
      summary.requests, secs, summary.requests / secs,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
      latency.max / 1000, e.connect + e.read + e.write + e.timeout, e.status))
end
