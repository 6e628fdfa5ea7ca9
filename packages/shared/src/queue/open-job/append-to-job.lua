-- Appends entries to a log job that still waits out its delay (append-to-job.ts).
-- Returns 1 when they were appended (a string, the error, when they were but
-- the recent window could not be written), 0 when the job is no longer delayed
-- (a worker promoted it, or the bound dropped it): the caller then adds a
-- new job, and nothing was written.
--
-- KEYS[1] the job's hash, KEYS[2] the queue's delayed set, KEYS[3] the
-- bound's account (bound-account.ts), KEYS[4] the job's logs list, KEYS[5]
-- and KEYS[6] the shard's recent window and its account. ARGV[1] the job
-- id, ARGV[2] the new entries as one JSON array, ARGV[3] their count,
-- ARGV[4] their serialized bytes, ARGV[5] when the server accepted them
-- (µs), ARGV[6] and ARGV[7] the window's bounds (age in ms, bytes), then
-- the flush's index for the window (recent-window.lua). append-to-job.ts puts recent-window.lua's
-- `recent_add` before this script: appended entries join the window in the
-- same step.
--
-- The entries go to the job's logs list (BullMQ's `job.log`, which the
-- dashboard shows and BullMQ deletes with the job), one array per flush, so
-- an append costs O(its own bytes): the job's data, `{"entries":[…]}`, is
-- not rewritten. Readers take the data's entries, then the list's
-- (`jobEntries`). The job's name holds the count and bytes still to
-- deliver, in log-job-name.ts's format, "<n> entries (<b> bytes)"; parse and
-- rewrite it here exactly as logJobName writes it. If the bound cut the job
-- meanwhile, its name's count is lower than its entries: adding to that count
-- keeps "the last n entries are the ones to deliver" true.

if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
local name = redis.call('HGET', KEYS[1], 'name')
if not name then return 0 end
local count, total = string.match(name, '^(%d+) entr%a+ %((%d+) bytes%)$')
if not count then return 0 end
local added = tonumber(ARGV[3])
local bytes = tonumber(ARGV[4])
count = tonumber(count) + added
total = tonumber(total) + bytes
local noun = count == 1 and ' entry (' or ' entries ('
redis.call('RPUSH', KEYS[4], ARGV[2])
redis.call('HSET', KEYS[1], 'name', count .. noun .. total .. ' bytes)')
redis.call('HINCRBY', KEYS[3], 'entries', added)
redis.call('HINCRBY', KEYS[3], 'bytes', bytes)
-- The entries are in the job whatever happens next: a window that cannot be
-- written must not turn an append that happened into an error (the client
-- would send the entries again). The failure is returned instead, for the
-- server to count and log.
local ok, failure = pcall(recent_add, KEYS[5], KEYS[6], ARGV[2], added, bytes, ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV, 8)
if not ok then return 'window: ' .. tostring(failure) end
return 1
