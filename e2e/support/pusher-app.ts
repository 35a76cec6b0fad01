/**
 * The Pusher app of an e2e run: the same key and secret in WordPress's wp-config.php (the plugin's Pusher routes)
 * and on the relay that the Pusher specs start (`--pusher-*`). Derived from the run's shared secret, so the global
 * setup and the test workers agree without another variable, and each run has its own.
 */
import { createHmac } from 'node:crypto';

export interface E2ePusherApp {
  id: string;
  key: string;
  secret: string;
}

export function e2ePusherApp(sharedSecret: string): E2ePusherApp {
  return { id: '1', key: 'e2e-pusher-key', secret: createHmac('sha256', sharedSecret).update('e2e pusher app secret').digest('hex') };
}

/** wp-config.php constants of the generated plugin (slug acme-live). */
export function pusherConstants(app: E2ePusherApp): Record<string, string> {
  return { ACME_LIVE_PUSHER_KEY: app.key, ACME_LIVE_PUSHER_SECRET: app.secret };
}

/** `wp-realtime relay` flags for the app (test relays only: a production relay takes the secret from the environment). */
export function pusherRelayArgs(app: E2ePusherApp): string[] {
  return ['--pusher-app-id', app.id, '--pusher-key', app.key, '--pusher-secret', app.secret];
}
