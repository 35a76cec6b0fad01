/**
 * The Lua scripts of occupancy across relays (webhooks). A channel is occupied while its set of occupant relays is
 * not empty; each script runs atomically, so exactly one relay sees the set go from empty to one (occupied) or from
 * one to empty (vacated), and reports it. A dead or retiring relay's channels are vacated by drop_all in
 * presence-scripts.ts (the reaper reports them). Key names as in keys.ts (`occupants:<channel>`, `occupying:<relay>`).
 */

/** ARGV: prefix, relay id, channel. Returns 1 when the channel was occupied by no relay before (this relay reports it). */
export const OCCUPY_SCRIPT = `
local prefix, relay, channel = ARGV[1], ARGV[2], ARGV[3]
-- A relay that dies before its first heartbeat is still reaped (and its channels vacated).
local t = redis.call('TIME')
redis.call('ZADD', prefix .. 'presence:relays', 'NX', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), relay)
redis.call('SADD', prefix .. 'occupying:' .. relay, channel)
local occupants = prefix .. 'occupants:' .. channel
if redis.call('SADD', occupants, relay) == 1 and redis.call('SCARD', occupants) == 1 then return 1 end
return 0
`;

/** ARGV: prefix, relay id, channel. Returns 1 when this relay was the channel's last occupant (it reports the vacancy). */
export const VACATE_SCRIPT = `
local prefix, relay, channel = ARGV[1], ARGV[2], ARGV[3]
redis.call('SREM', prefix .. 'occupying:' .. relay, channel)
local occupants = prefix .. 'occupants:' .. channel
if redis.call('SREM', occupants, relay) == 1 and redis.call('SCARD', occupants) == 0 then return 1 end
return 0
`;
