-- wrk script: GET one job, as the client polls it (GET /api/v1/jobs/{id}?exclude_params=true).
-- Environment: JOB_PATH (the path, with query), AUTH (the Authorization header value).
-- Counts non-200 answers and prints them at the end (wrk's own "Non-2xx" line counts 3xx too).
local path = os.getenv("JOB_PATH")
local auth = os.getenv("AUTH")
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    wrk.method = "GET"
    wrk.path = path
    if auth and auth ~= "" then
        wrk.headers["Authorization"] = auth
    end
    wrk.headers["Accept"] = "application/json"
    bad = 0
    ok = 0
end

function request()
    return wrk.format(nil, path)
end

function response(status, headers, body)
    if status == 200 then ok = ok + 1 else bad = bad + 1 end
end

function done(summary, latency, requests)
    local total_ok, total_bad = 0, 0
    for _, thread in ipairs(threads) do
        total_ok = total_ok + thread:get("ok")
        total_bad = total_bad + thread:get("bad")
    end
    io.write(string.format("LOAD ok=%d bad=%d p50_us=%d p99_us=%d\n", total_ok, total_bad,
                           latency:percentile(50), latency:percentile(99)))
end
