/**
 * The Lua scripts of presence across relays. Each runs atomically, so exactly one relay decides that a user joined a
 * channel (the first relay to hold them) or left it (the last to let go, or the reaper of a dead relay), and appends
 * that change once to the shared log every relay reads. Key names below the prefix are built inside the scripts
 * (a dead relay's channels are only known once its set is read): this needs a single Redis, not Redis Cluster.
 */

/** The one removal rule: shared by leave, by the reaper of dead relays and by a relay's own retirement. */
const DROP = `
local prefix = ARGV[1]
-- What this script decided (members removed, channels vacated), returned to the relay that ran it, which alone
-- reports them (webhooks): each change is reported once cluster-wide.
local decided = {}
local function drop(owned, channel, id, loglen)
  if redis.call('SREM', owned, channel .. '\\n' .. id) == 0 then return end
  local refs = prefix .. 'presence:refs:' .. channel
  if redis.call('HINCRBY', refs, id, -1) <= 0 then
    redis.call('HDEL', refs, id)
    redis.call('HDEL', prefix .. 'presence:members:' .. channel, id)
    local change = { op = 'removed', channel = channel, id = id }
    redis.call('XADD', prefix .. 'log', 'MAXLEN', '~', loglen, '*', 'p', cjson.encode(change))
    table.insert(decided, change)
  end
end
local function drop_all(relay, loglen)
  local owned = prefix .. 'presence:relay:' .. relay
  for _, entry in ipairs(redis.call('SMEMBERS', owned)) do
    local cut = string.find(entry, '\\n', 1, true)
    drop(owned, string.sub(entry, 1, cut - 1), string.sub(entry, cut + 1), loglen)
  end
  -- The channels it occupied (relay/redis/occupancy-scripts.ts): vacated where it was the last relay.
  local occupying = prefix .. 'occupying:' .. relay
  for _, channel in ipairs(redis.call('SMEMBERS', occupying)) do
    local occupants = prefix .. 'occupants:' .. channel
    if redis.call('SREM', occupants, relay) == 1 and redis.call('SCARD', occupants) == 0 then
      table.insert(decided, { op = 'vacated', channel = channel })
    end
  end
  redis.call('DEL', owned, occupying, prefix .. 'occupancy:' .. relay)
  redis.call('ZREM', prefix .. 'presence:relays', relay)
end
local function decisions()
  if #decided == 0 then return '[]' end
  return cjson.encode(decided)
end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/**
 * ARGV: prefix, relay id, channel, user id, member JSON, log length, the `added` change JSON.
 * Returns 0 when this relay held the user there already, 1 when it newly holds them, 2 when they are new on the
 * channel (the `added` change was appended: this relay reports it).
 */
export const PRESENCE_JOIN_SCRIPT = `${DROP}
local relay, channel, id = ARGV[2], ARGV[3], ARGV[4]
-- A relay that dies before its first heartbeat is still reaped.
redis.call('ZADD', prefix .. 'presence:relays', 'NX', now_ms(), relay)
if redis.call('SADD', prefix .. 'presence:relay:' .. relay, channel .. '\\n' .. id) == 0 then return 0 end
redis.call('HSET', prefix .. 'presence:members:' .. channel, id, ARGV[5])
if redis.call('HINCRBY', prefix .. 'presence:refs:' .. channel, id, 1) == 1 then
  redis.call('XADD', prefix .. 'log', 'MAXLEN', '~', ARGV[6], '*', 'p', ARGV[7])
  return 2
end
return 1
`;

/** ARGV: prefix, relay id, channel, user id, log length. Returns the decisions (JSON): the `removed` change, if any. */
export const PRESENCE_LEAVE_SCRIPT = `${DROP}
drop(prefix .. 'presence:relay:' .. ARGV[2], ARGV[3], ARGV[4], ARGV[5])
return decisions()
`;

/**
 * ARGV: prefix, relay id, timeout ms, log length. Records this relay's heartbeat and reaps every relay silent for
 * longer than the timeout (Redis's clock for both, so relay clocks do not matter). Returns 1 when this relay was not
 * known (its first beat, a Redis that lost its data, or it was reaped while it could not reach Redis): it must then
 * re-assert what it holds. Returns { that 0/1, the reaped relays' decisions (JSON) }.
 */
export const PRESENCE_HEARTBEAT_SCRIPT = `${DROP}
local relays = prefix .. 'presence:relays'
local now = now_ms()
local known = redis.call('ZSCORE', relays, ARGV[2])
for _, dead in ipairs(redis.call('ZRANGEBYSCORE', relays, '-inf', now - tonumber(ARGV[3]))) do
  if dead ~= ARGV[2] then drop_all(dead, ARGV[4]) end
end
redis.call('ZADD', relays, now, ARGV[2])
if known then return { 0, decisions() } end
return { 1, decisions() }
`;

/** ARGV: prefix, relay id, log length. A relay that stops lets go of everything it holds at once; returns the decisions (JSON). */
export const PRESENCE_RETIRE_SCRIPT = `${DROP}
drop_all(ARGV[2], ARGV[3])
return decisions()
`;
