-- wrk script: POST /api/v1/jobs with one prepared body (a small sampler job), as fast as the
-- server acknowledges. Environment: JOBS_PATH (e.g. /api/v1/jobs), BODY_FILE (the JSON body),
-- AUTH (the Authorization header value, may be empty).
-- Counts 2xx answers (acknowledged, hence durable, submissions) apart from the others.
local jobs_path = os.getenv("JOBS_PATH") or "/api/v1/jobs"
local auth = os.getenv("AUTH")
local file = assert(io.open(os.getenv("BODY_FILE"), "rb"))
local body = file:read("*a")
file:close()
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    wrk.method = "POST"
    wrk.body = body
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["Accept"] = "application/json"
    if auth and auth ~= "" then
        wrk.headers["Authorization"] = auth
    end
    ok = 0
    bad = 0
    last_bad = ""
end

function request()
    return wrk.format("POST", jobs_path, nil, body)
end

function response(status, headers, resp_body)
    if status >= 200 and status < 300 then
        ok = ok + 1
    else
        bad = bad + 1
        last_bad = tostring(status) .. " " .. string.sub(resp_body or "", 1, 160)
    end
end

function done(summary, latency, requests)
    local total_ok, total_bad, sample = 0, 0, ""
    for _, thread in ipairs(threads) do
        total_ok = total_ok + thread:get("ok")
        total_bad = total_bad + thread:get("bad")
        local b = thread:get("last_bad")
        if b and b ~= "" then sample = b end
    end
    io.write(string.format("LOAD ok=%d bad=%d p50_us=%d p99_us=%d\n", total_ok, total_bad,
                           latency:percentile(50), latency:percentile(99)))
    if sample ~= "" then io.write("LOAD last_bad=" .. sample .. "\n") end
end
