/**
 * Pusher apps served by this relay: `--pusher-app-id`, `--pusher-key`, `--pusher-secret` (one app) or several in
 * RelayOptions.pusherApps. A browser only ever sees an app's key; its secret signs channel authorizations (made by
 * WordPress) and the HTTP API requests of server SDKs.
 */
export interface PusherApp {
  id: string;
  key: string;
  secret: string;
}

/** Pusher's own alphabet for ids and keys is wider; these are what URL paths and auth strings can carry unescaped. */
const APP_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const APP_KEY_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export class PusherAppError extends Error {}

/** Checks a set of apps before the relay starts: well-formed, secrets long enough, no id or key used twice. */
export function validatePusherApps(apps: readonly PusherApp[]): void {
  const ids = new Set<string>();
  const keys = new Set<string>();
  for (const app of apps) {
    if (!APP_ID_PATTERN.test(app.id)) throw new PusherAppError(`app id "${app.id}" must match ${APP_ID_PATTERN.source}`);
    if (!APP_KEY_PATTERN.test(app.key)) throw new PusherAppError(`app key "${app.key}" must match ${APP_KEY_PATTERN.source}`);
    if (app.secret.length < 16) throw new PusherAppError(`the secret of app "${app.id}" must be at least 16 characters`);
    if (ids.has(app.id)) throw new PusherAppError(`app id "${app.id}" is given twice`);
    if (keys.has(app.key)) throw new PusherAppError(`app key "${app.key}" is given twice`);
    ids.add(app.id);
    keys.add(app.key);
  }
}

export class PusherApps {
  private readonly byKey = new Map<string, PusherApp>();
  private readonly byId = new Map<string, PusherApp>();

  constructor(apps: readonly PusherApp[]) {
    validatePusherApps(apps);
    for (const app of apps) {
      this.byKey.set(app.key, app);
      this.byId.set(app.id, app);
    }
  }

  get size(): number {
    return this.byId.size;
  }

  withKey(key: string): PusherApp | undefined {
    return this.byKey.get(key);
  }

  withId(id: string): PusherApp | undefined {
    return this.byId.get(id);
  }
}
