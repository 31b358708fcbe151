-- wrk script of bench/intake/run: every request POSTs the batch in the file
-- named by $INTAKE_BODY to /v1/events, and the summary counts the answers
-- that are not 201 (every event accepted and acknowledged by the broker).
local f = assert(io.open(os.getenv("INTAKE_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  not201 = 0
end

function response(status, headers, body)
  if status ~= 201 then
    not201 = not201 + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do
    bad = bad + t:get("not201")
  end
  io.write(string.format("answers other than 201: %d\n", bad))
end
