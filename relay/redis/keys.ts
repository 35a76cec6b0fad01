/** Every Redis key the relay uses, in one place: one prefix, so a Redis shared with other software stays tidy. */
const PREFIX = 'wp-realtime:';

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
} as const;
