/**
 * The two Lua scripts that make the shared store consistent across relays: Redis runs each one atomically, so two
 * relays never both broadcast one id, and a replay read sees one instant of every channel it reads.
 */

/**
 * KEYS: event id claim, sequence, channel history, channel evicted-through, the shared log.
 * ARGV: envelope JSON, history length, history TTL seconds, log length, id claim seconds, the socket id the event
 * must not reach ('' for none; in the log entry only, as field x).
 * Returns the new sequence number, or 0 when the id was already claimed (a duplicate: not broadcast again).
 */
export const PUBLISH_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local seq = redis.call('INCR', KEYS[2])
local history = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
redis.call('SET', KEYS[1], seq, 'EX', tonumber(ARGV[5]))
if history > 0 then
  redis.call('XADD', KEYS[3], seq .. '-0', 'e', ARGV[1])
  local excess = redis.call('XLEN', KEYS[3]) - history
  if excess > 0 then
    local dropped = redis.call('XRANGE', KEYS[3], '-', '+', 'COUNT', excess)
    redis.call('SET', KEYS[4], string.match(dropped[#dropped][1], '^%d+'), 'EX', ttl)
    redis.call('XTRIM', KEYS[3], 'MAXLEN', history)
  end
  redis.call('EXPIRE', KEYS[3], ttl)
end
-- the broadcast: every relay's log reader (redis/log-reader.ts) delivers it to its own clients
if ARGV[6] == '' then
  redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[4], '*', 'e', ARGV[1])
else
  redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[4], '*', 'e', ARGV[1], 'x', ARGV[6])
end
return seq
`;

/**
 * KEYS: the lastEventId claim, then (history, evicted-through) per channel. ARGV: the replay budget in bytes.
 * Returns nil when lastEventId is unknown or is no event of these channels (a private id looks like an unknown one),
 * else { incomplete (0|1), { entryId, envelopeJson, ... }, overBudget (0|1) }; over the budget no entry is returned.
 */
export const REPLAY_SCRIPT = `
local last = redis.call('GET', KEYS[1])
if not last then return false end
local lastSeq = tonumber(last)
local incomplete = 0
local readable = false
local budget = tonumber(ARGV[1])
local bytes = 0
local flat = {}
for i = 2, #KEYS, 2 do
  if tonumber(redis.call('GET', KEYS[i + 1]) or '0') > lastSeq then incomplete = 1 end
  if not readable and #redis.call('XRANGE', KEYS[i], last .. '-0', last .. '-0') > 0 then readable = true end
end
if not readable then
  -- Trimmed from its channel's history: an incomplete replay (a gap) whatever channel it was on.
  if incomplete == 1 then return { 1, {}, 0 } end
  return false
end
for i = 2, #KEYS, 2 do
  for _, entry in ipairs(redis.call('XRANGE', KEYS[i], '(' .. last .. '-0', '+')) do
    bytes = bytes + #entry[2][2]
    if bytes > budget then return { 1, {}, 1 } end
    table.insert(flat, entry[1])
    table.insert(flat, entry[2][2])
  end
end
return { incomplete, flat, 0 }
`;

/**
 * KEYS: the user's revocation hash, the shared log. ARGV: notBefore, seconds until it no longer matters, log length,
 * the revocation JSON, then the fields: `*` (every token) or the struck channels. Keeps the latest notBefore per field,
 * extends the key's life when this one lasts longer, and appends the revocation to the log (field r) for every relay.
 */
export const REVOKE_SCRIPT = `
local notBefore = tonumber(ARGV[1])
for i = 5, #ARGV do
  local current = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '-1')
  if notBefore > current then redis.call('HSET', KEYS[1], ARGV[i], notBefore) end
end
local ttl = tonumber(ARGV[2])
if redis.call('TTL', KEYS[1]) < ttl then redis.call('EXPIRE', KEYS[1], ttl) end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'r', ARGV[4])
return 1
`;
