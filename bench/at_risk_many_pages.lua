-- wrk script for bench/gateway_at_risk_1m.sh: each request asks for a random one of 2,000 pages of
-- 50 rows (the query's "VARY" replaced by the offset), so the gateway's page cache (32 pages) almost
-- never answers: the at-risk path without it.
local threads = 0
local path

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  path = wrk.path
  math.randomseed(os.time() * 100 + id)
end

function request()
  local offset = math.random(0, 1999) * 50
  return wrk.format(nil, (string.gsub(path, "VARY", tostring(offset))))
end
