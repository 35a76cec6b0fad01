/** A real relay in this process, and a signed POST into it, for tests of the block's client against the relay. */
import { createRelay, type Relay } from '../../../relay/index.js';
import { mintToken, SIGNATURE_HEADER, signatureHeader } from '../../../protocol/index.js';
import type { TokenResponse } from '../../src/client/token-response.js';

export const SECRET = 'block-test-secret-0123456789abcdef';

export interface TestRelay {
  relay: Relay;
  url: string;
  emit(events: object | object[]): Promise<void>;
  tokenFor(options?: { user?: string; channels?: string[]; ttl?: number }): TokenResponse;
}

export async function startRelay(options: { port?: number } = {}): Promise<TestRelay> {
  const relay = createRelay({ secret: SECRET, port: 0, host: '127.0.0.1', logLevel: 'silent', ...options });
  const url = await relay.start();
  return {
    relay,
    url,
    async emit(events) {
      const body = JSON.stringify(events);
      const response = await fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [SIGNATURE_HEADER]: signatureHeader(SECRET, body) },
        body,
      });
      if (response.status !== 202) throw new Error(`relay answered ${response.status}: ${await response.text()}`);
    },
    tokenFor({ user = '0', channels = ['public'], ttl = 600 } = {}) {
      const token = mintToken({ secret: SECRET, user, channels, ttl });
      return { token, expiresAt: Math.floor(Date.now() / 1000) + ttl, channels, relayUrl: url };
    },
  };
}

/** Polls until the condition holds; fails with the description after the timeout. */
export async function waitFor(description: string, condition: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
