-- The queue bound (queue-bound.ts): keeps at most ARGV[1] entries and ARGV[2]
-- serialized bytes waiting in one BullMQ queue, dropping the oldest first.
-- Returns {removed, entries, bytes}.
--
-- KEYS[1] the queue's wait list, KEYS[2] its paused list, KEYS[3] the bound's
-- account (bound-account.ts), KEYS[4] its delayed set. ARGV[3] is the
-- queue's key prefix, to which a job id is appended to name the job's hash.
--
-- A server adds a job with a delay (BATCH_TIMEOUT_MS) and appends the
-- entries of its next flushes to it while it waits (append-to-job.lua); a
-- worker then moves it to the wait list. So the delayed set holds the newest
-- jobs, the earliest due first. BullMQ adds with LPUSH and workers take from
-- the tail, so the oldest job is at the tail of the wait list, or of the
-- paused list while the queue is paused (BullMQ then renames one into the
-- other), and the delayed jobs come after both. A job's name holds its
-- count of entries still to deliver and their bytes: the format is
-- log-job-name.ts's, "<n> entries (<b> bytes)" or "1 entry (<b> bytes)";
-- parse and rewrite it here exactly as logJobName writes it.

local maxEntries = tonumber(ARGV[1])
local maxBytes = tonumber(ARGV[2])
local prefix = ARGV[3]
local account = redis.call('HMGET', KEYS[3], 'entries', 'bytes', 'jobs')
local entries = tonumber(account[1] or '0')
local bytes = tonumber(account[2] or '0')
if entries <= maxEntries and bytes <= maxBytes then return {0, entries, bytes} end

-- The entries and bytes a job's name says it holds (logJobName's format).
local function size(id)
  local name = redis.call('HGET', prefix .. id, 'name')
  if not name then return 0, 0 end
  local count, total = string.match(name, '^(%d+) entr%a+ %((%d+) bytes%)$')
  if count then return tonumber(count), tonumber(total) end
  -- Any other name: a job of Godot 0.1, one entry, its data.
  return 1, redis.call('HSTRLEN', prefix .. id, 'data')
end

-- The account is exact while no job left the lists without telling it
-- (a worker took one, or one came back): the lists' length tells. When it
-- differs from the jobs the account expects, count the lists afresh before
-- dropping anything. Nothing is ever dropped on a stale count.
local length = redis.call('LLEN', KEYS[1]) + redis.call('LLEN', KEYS[2])
  + redis.call('ZCARD', KEYS[4])
if length ~= tonumber(account[3] or '-1') then
  entries = 0
  bytes = 0
  local ids = {}
  for _, list in ipairs({KEYS[1], KEYS[2]}) do
    for _, id in ipairs(redis.call('LRANGE', list, 0, -1)) do ids[#ids + 1] = id end
  end
  for _, id in ipairs(redis.call('ZRANGE', KEYS[4], 0, -1)) do ids[#ids + 1] = id end
  for _, id in ipairs(ids) do
    local count, total = size(id)
    entries = entries + count
    bytes = bytes + total
  end
end

-- Over the count, whole oldest jobs go, and the last one is cut: its name's
-- count is lowered, and the worker then delivers only its newest entries.
-- Over the bytes, whole oldest jobs go until the bytes fit; a cut job's bytes
-- are taken in proportion to what it keeps.
local removed = 0
while entries > maxEntries or bytes > maxBytes do
  local list = KEYS[2]
  local id = redis.call('LINDEX', list, -1)
  if not id then
    list = KEYS[1]
    id = redis.call('LINDEX', list, -1)
  end
  if not id then
    list = KEYS[4]
    id = redis.call('ZRANGE', list, 0, 0)[1]
  end
  if not id then
    entries = 0
    bytes = 0
    break
  end
  local count, total = size(id)
  if bytes > maxBytes or count <= entries - maxEntries then
    if list == KEYS[4] then redis.call('ZREM', list, id) else redis.call('RPOP', list) end
    redis.call('DEL', prefix .. id, prefix .. id .. ':logs')
    length = length - 1
    removed = removed + count
    entries = entries - count
    bytes = bytes - total
  else
    local left = count - (entries - maxEntries)
    local kept = math.ceil(total * left / count)
    -- logJobName's format, with the lowered numbers.
    local noun = left == 1 and ' entry (' or ' entries ('
    redis.call('HSET', prefix .. id, 'name', left .. noun .. kept .. ' bytes)')
    removed = removed + count - left
    entries = maxEntries
    bytes = bytes - total + kept
  end
end
redis.call('HSET', KEYS[3], 'entries', entries, 'bytes', bytes, 'jobs', length)
return {removed, entries, bytes}
