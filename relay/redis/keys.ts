/** Every Redis key the relay uses, in one place: one prefix, so a Redis shared with other software stays tidy. */
export const PREFIX = 'wp-realtime:';

export const redisKeys = {
  /** Relay-wide event sequence: one order across channels, so a lastEventId marks one point in time. */
  sequence: `${PREFIX}seq`,
  /** Idempotency claim of an event id; its value is the event's sequence number (the replay starting point). */
  eventId: (id: string) => `${PREFIX}id:${id}`,
  /** A channel's history: a stream whose entry ids are `<sequence>-0`. */
  history: (channel: string) => `${PREFIX}history:${channel}`,
  /** Highest sequence number a channel's history has dropped; a replay from before it is incomplete. */
  evicted: (channel: string) => `${PREFIX}evicted:${channel}`,
  /** The shared log: every accepted event once, in sequence order; every relay reads it (XREAD) and delivers it. */
  log: `${PREFIX}log`,
  /** Live relays: relay id → its last heartbeat (Redis clock, ms). A relay silent past --presence-timeout is reaped. */
  presenceRelays: `${PREFIX}presence:relays`,
  /** What one relay holds: a set of `<channel>\n<user id>`, dropped whole when the relay is reaped. */
  presenceOwned: (relay: string) => `${PREFIX}presence:relay:${relay}`,
  /** A presence channel's members on every relay: user id → member JSON ({ id, name, avatar? }). */
  presenceMembers: (channel: string) => `${PREFIX}presence:members:${channel}`,
  /** How many relays hold each user of a presence channel: the user leaves when the last one lets go. */
  presenceRefs: (channel: string) => `${PREFIX}presence:refs:${channel}`,
  /** One relay's subscriber count per channel, rewritten on each heartbeat, expiring with the presence timeout. */
  occupancy: (relay: string) => `${PREFIX}occupancy:${relay}`,
  /** The relays with a subscriber of a channel (webhooks): occupied while not empty, decided by occupancy-scripts.ts. */
  occupants: (channel: string) => `${PREFIX}occupants:${channel}`,
  /** The channels one relay has a subscriber of: vacated for it when it is reaped or retires. */
  occupying: (relay: string) => `${PREFIX}occupying:${relay}`,
} as const;
