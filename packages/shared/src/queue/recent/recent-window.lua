-- The recent window's write (recent-window.ts, docs/data-path.md#recent-window):
-- one stream record per flush and shard, then the oldest records trimmed
-- while the shard's window is over its bytes or its age. This file holds
-- only the function: recent-window.ts makes it a script of its own, and
-- append-to-job.lua's callers prepend it, so that an append and its window
-- record are one atomic step.
--
-- stream: the shard's window (a Redis Stream); a record's fields are, in
-- order: s (the seq of its first entry), n (its entries), b (their bytes),
-- t (when the server accepted them, in µs: orders records across shards),
-- e (the entries, one JSON array). account: its hash, with `seq` (entries
-- ever added), `bytes` (bytes held now), `oldest` (ms of the oldest record,
-- when known), `started` (ms: when the window
-- began to record; a reader may set it first) and `trimmed` (ms of the
-- newest record trimmed): the window holds every entry accepted since the
-- later of the two. entries, count, bytes: the flush's; accepted_us: t.
-- window_ms, max_bytes: the shard's bounds; max_bytes 0 turns it off.
--
-- The flush's index, from index[at] on (recent-window.ts, `RecentIndex`):
-- the number of its distinct trace ids, then the ids; each trace's list
-- `<stream>:t:<id>` gets the record's id, so a trace is found without a
-- scan. Then the number of groups, then 4 values per group: its field
-- (pattern, level, component, joined by \31), its count, the JSON of its
-- earliest entry ({m, t, at}) and its latest `created_at`. They go to the
-- hash of the current 10 s bucket, `<stream>:b:<bucket>`, as `c|<field>`
-- (counts added), `x|<field>` (the earliest kept) and `l|<field>` (the
-- latest), so logger_summary counts a window without reading it. These
-- keys share the stream's hash tag, so on a cluster they share its slot.
local function recent_add(stream, account, entries, count, bytes, accepted_us, window_ms, max_bytes, index, at)
  if max_bytes <= 0 then return 0 end
  local now = redis.call('TIME')
  local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
  redis.call('HSETNX', account, 'started', now_ms)
  local first = redis.call('HINCRBY', account, 'seq', count) - count + 1
  local added = redis.call('XADD', stream, '*', 's', first, 'n', count, 'b', bytes, 't', accepted_us, 'e', entries)
  local held = redis.call('HINCRBY', account, 'bytes', bytes)
  local i = at
  local traces = tonumber(index[i]) or 0
  i = i + 1
  for _ = 1, traces do
    local key = stream .. ':t:' .. index[i]
    i = i + 1
    redis.call('RPUSH', key, added)
    redis.call('PEXPIRE', key, window_ms + 60000)
  end
  local groups = tonumber(index[i]) or 0
  i = i + 1
  if groups > 0 then
    -- The record's own time decides its bucket, so that a reader can count
    -- a bucket's records exactly (recent-reader.ts, `buckets`).
    local bucket = stream .. ':b:' .. math.floor(tonumber(string.match(added, '^(%d+)')) / 10000)
    for _ = 1, groups do
      local field = index[i]
      redis.call('HINCRBY', bucket, 'c|' .. field, index[i + 1])
      redis.call('HSETNX', bucket, 'x|' .. field, index[i + 2])
      redis.call('HSET', bucket, 'l|' .. field, index[i + 3])
      local traces_in = index[i + 4]
      if traces_in ~= '' then
        local kept = redis.call('HGET', bucket, 't|' .. field)
        if not kept then
          redis.call('HSET', bucket, 't|' .. field, traces_in)
        else
          local _, commas = string.gsub(kept, ',', '')
          if commas < 2 then
            for id in string.gmatch(traces_in, '[^,]+') do
              if commas < 2 and not string.find(kept, id, 1, true) then
                kept = kept .. ',' .. id
                commas = commas + 1
              end
            end
            redis.call('HSET', bucket, 't|' .. field, kept)
          end
        end
      end
      i = i + 5
    end
    redis.call('PEXPIRE', bucket, window_ms + 20000)
  end
  local cutoff = now_ms - window_ms
  -- `oldest` (the time of the oldest record, kept by the trim below) spares
  -- the common case a read of the stream: within both bounds, nothing to do.
  local known = tonumber(redis.call('HGET', account, 'oldest'))
  if known and held <= max_bytes and known >= cutoff then return 1 end
  -- Each record is looked at alone (COUNT 1): in the steady state a flush
  -- trims about one record, and XRANGE copies what it returns. At most 64
  -- per call, so a lowered bound is met over the next flushes rather than
  -- in one long script. The record just added always stays.
  local freed = 0
  local last = nil
  local kept = nil
  for _ = 1, 64 do
    local oldest = redis.call('XRANGE', stream, last and ('(' .. last) or '-', '+', 'COUNT', 1)[1]
    if not oldest or oldest[1] == added then
      kept = tonumber(string.match(added, '^(%d+)'))
      break
    end
    local ms = tonumber(string.match(oldest[1], '^(%d+)'))
    if held - freed <= max_bytes and ms >= cutoff then
      kept = ms
      break
    end
    -- Fields come in the order XADD wrote them: s, n, b, t, e.
    freed = freed + tonumber(oldest[2][6])
    last = oldest[1]
  end
  -- After 64 records the oldest kept is not known yet: the next call looks.
  if kept then
    redis.call('HSET', account, 'oldest', kept)
  else
    redis.call('HDEL', account, 'oldest')
  end
  if not last then return 1 end
  -- MINID keeps ids at or above it: the id right after the last one to go.
  local ms, seq = string.match(last, '^(%d+)-(%d+)$')
  redis.call('XTRIM', stream, 'MINID', ms .. '-' .. (tonumber(seq) + 1))
  redis.call('HINCRBY', account, 'bytes', -freed)
  redis.call('HSET', account, 'trimmed', ms)
  return 1
end
