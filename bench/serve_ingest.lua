-- serve_ingest.lua - wrk script for bench/serve_ingest.sh: POST /v1/messages,
-- one customer message per request, every id unique (thread number + counter).
--
-- Set by the shell through environment variables (wrk passes no arguments to setup):
--   HEED_KEY      the ingest key
--   HEED_SOURCE   the records' "source" (each row its own, so the store counts per row)
--   HEED_WINDOW   seconds to send requests; afterwards delay() parks every connection,
--                 so wrk, run a little longer than the window, reads the answer of
--                 every request it sent (no request is left in flight when it stops)
--   HEED_ACKED    optional folder: each thread appends the id of every message whose
--                 answer was 2xx "imported" to ACKED/t<N>.txt (needs one connection
--                 per thread: then the answer read is the one to the last request sent)
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } heed_timespec;
int clock_gettime(int clk, heed_timespec *ts);
]]
local function now()
    local ts = ffi.new("heed_timespec")
    ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
    return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

local KEY = os.getenv("HEED_KEY")
local SOURCE = os.getenv("HEED_SOURCE") or "load"
local WINDOW = tonumber(os.getenv("HEED_WINDOW") or "10")
local ACKED = os.getenv("HEED_ACKED")

local threads = {}
local counter = 0
function setup(thread)
    counter = counter + 1
    thread:set("tid", counter)
    table.insert(threads, thread)
end

wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. KEY
wrk.headers["Content-Type"] = "application/json"

local TEXTS = {
    "I have called three times about order #4521 and nobody has fixed it. The blender arrived broken and I need a refund by Friday, please.",
    "Hi, my card was charged twice for the same subscription this month. Can you reverse the second payment?",
    "Still waiting on the replacement you promised last week. This is really frustrating, I use this every day.",
    "Thanks for the quick answer yesterday, the app works again after the update.",
    "Where is my parcel? Tracking has said 'out for delivery' for four days now.",
    "I want to close my account. Nobody answers my emails and I am tired of chasing you.",
    "Could you tell me how to change the delivery address on an order I placed this morning?",
    "The invoice shows the wrong VAT number again. Please correct it before the end of the month, our audit depends on it.",
}

function init(args)
    tid = tonumber(wrk.thread:get("tid"))
    n, sent, ok2xx, imported, there, rejected, other = 0, 0, 0, 0, 0, 0, 0
    last_id = nil
    t_end = now() + WINDOW
    acked = nil
    if ACKED and ACKED ~= "" then
        acked = io.open(string.format("%s/t%d.txt", ACKED, tid), "w")
        acked:setvbuf("line")
    end
end

function delay()
    if now() >= t_end then return 3600000 end -- window over: park the connection
    return 0
end

function request()
    n = n + 1
    sent = sent + 1
    local conv = string.format("w%d-c%d", tid, math.floor((n - 1) / 3)) -- 3 turns each
    last_id = string.format("w%d-%d", tid, n)
    -- a time per message, one minute apart within a conversation, from 2026-09-01
    local t = 1788220800 + tid * 86400 + n * 60
    local body = string.format(
        '{"source":"%s","id":"%s","conversation":"%s","role":"customer","time":%d,' ..
        '"channel":"email","email":"cust-%s@example.com","text":"%s"}',
        SOURCE, last_id, conv, t, conv, TEXTS[(n % #TEXTS) + 1])
    return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
    if status >= 200 and status < 300 then
        ok2xx = ok2xx + 1
        local _, k = body:gsub('"status":"imported"', "")
        imported = imported + k
        if k > 0 and acked then acked:write(last_id, "\n") end
        local _, a = body:gsub('"status":"already_there"', "")
        there = there + a
        local _, r = body:gsub('"status":"rejected"', "")
        rejected = rejected + r
    else
        other = other + 1
    end
end

function done(summary, latency, requests)
    local s = { sent = 0, ok2xx = 0, imported = 0, there = 0, rejected = 0, other = 0 }
    for _, t in ipairs(threads) do
        for k, _ in pairs(s) do s[k] = s[k] + (tonumber(t:get(k)) or 0) end
    end
    local e = summary.errors
    io.write(string.format(
        "INGEST sent=%d ok2xx=%d imported=%d already_there=%d rejected=%d non2xx=%d " ..
        "socket_errors=%d wrk_requests=%d wrk_non2xx=%d p50_ms=%.2f p99_ms=%.2f window_s=%g\n",
        s.sent, s.ok2xx, s.imported, s.there, s.rejected, s.other,
        e.connect + e.read + e.write + e.timeout, summary.requests, e.status,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, WINDOW))
end
