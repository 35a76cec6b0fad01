/**
 * Channel naming and read rules: `public` and `public-*` are open, every other channel needs a token listing it.
 * `presence-*` channels follow the same read rule; their tokens also carry the member's info (protocol/token.ts).
 */
export const CHANNEL_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
export const DEFAULT_CHANNEL = 'public';

export function isValidChannel(name: unknown): name is string {
  return typeof name === 'string' && CHANNEL_PATTERN.test(name);
}

export function isPublicChannel(name: string): boolean {
  return name === 'public' || name.startsWith('public-');
}

export const PRESENCE_PREFIX = 'presence-';

/** A channel whose subscribers see who else is there (member list, member_added / member_removed). */
export function isPresenceChannel(name: string): boolean {
  return name.startsWith(PRESENCE_PREFIX);
}

export interface ReadAccess {
  /** Channels the client's token lists (empty without a token). */
  tokenChannels: ReadonlySet<string>;
  /** False under `--no-public`: then only token-listed channels are readable. */
  publicAllowed: boolean;
}

export function canRead(channel: string, access: ReadAccess): boolean {
  if (access.tokenChannels.has(channel)) return true;
  return access.publicAllowed && isPublicChannel(channel);
}

/** The channels a logged-in WordPress user may read; mirrored by the plugin's token endpoint. */
export function wordpressUserChannels(userId: number, roles: readonly string[]): string[] {
  if (userId <= 0) return [DEFAULT_CHANNEL];
  return [DEFAULT_CHANNEL, `private-user-${userId}`, ...roles.map((role) => `role-${role}`)];
}
