-- Appends entries to a log job that still waits out its delay (open-job.ts).
-- Returns 1 when they were appended, 0 when the job is no longer delayed
-- (a worker promoted it, or the bound dropped it): the caller then adds a
-- new job, and nothing was written.
--
-- KEYS[1] the job's hash, KEYS[2] the queue's delayed set, KEYS[3] the
-- bound's account (bound-account.ts). ARGV[1] the job id, ARGV[2] the new
-- entries as JSON, comma-separated, without brackets, ARGV[3] their count,
-- ARGV[4] their serialized bytes.
--
-- A log job's data is `{"entries":[…]}` exactly as JSON.stringify wrote it,
-- and its name holds the count and bytes still to deliver, in
-- log-job-name.ts's format, "<n> entries (<b> bytes)"; parse and rewrite it
-- here exactly as logJobName writes it. If the bound cut the job meanwhile,
-- its name's count is lower than its entries: adding to that count keeps
-- "the last n entries are the ones to deliver" true.

if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
local name = redis.call('HGET', KEYS[1], 'name')
local data = redis.call('HGET', KEYS[1], 'data')
if not name or not data or string.sub(data, -2) ~= ']}' then return 0 end
local count, total = string.match(name, '^(%d+) entr%a+ %((%d+) bytes%)$')
if not count then return 0 end
local added = tonumber(ARGV[3])
local bytes = tonumber(ARGV[4])
count = tonumber(count) + added
total = tonumber(total) + bytes
local noun = count == 1 and ' entry (' or ' entries ('
redis.call('HSET', KEYS[1],
  'data', string.sub(data, 1, -3) .. ',' .. ARGV[2] .. ']}',
  'name', count .. noun .. total .. ' bytes)')
redis.call('HINCRBY', KEYS[3], 'entries', added)
redis.call('HINCRBY', KEYS[3], 'bytes', bytes)
return 1
