/** Tokens minted by WordPress for the browser, checked against the real relay and the protocol's verifier. */
import { verifyToken } from '../../protocol/token.js';
import { expect, test } from '../support/fixtures.js';
import { relayAccepts } from '../support/relay-listener.js';

interface TokenResponse {
  token: string;
  channels: string[];
}

test('an anonymous visitor gets a public-only token that the relay accepts', async ({ anonymous, relay, stack }) => {
  const response = await anonymous.request(`/wp-json/${stack.pluginSlug}/v1/token`);
  expect(response.status, response.text).toBe(200);
  const body = response.json<TokenResponse>();
  expect(body.channels).toEqual(['public']);
  expect(response.text).not.toContain(stack.secret);

  const check = verifyToken(body.token, stack.secret);
  expect(check.ok, JSON.stringify(check)).toBe(true);
  if (check.ok) {
    expect(check.claims.ch).toEqual(['public']);
    expect(check.claims.sub).toBe('0');
    expect(check.claims.exp - check.claims.iat).toBeLessThanOrEqual(3600);
  }
  expect(await relayAccepts(relay.url, body.token)).toBe(true);
  const tampered = body.token.slice(0, -2) + (body.token.endsWith('AA') ? 'BB' : 'AA');
  expect(await relayAccepts(relay.url, tampered)).toBe(false);
});

test("a logged-in administrator's token lists public, their private channel and their role", async ({ admin, relay, stack }) => {
  const me = (await admin.request('/wp-json/wp/v2/users/me', { withNonce: true })).json<{ id: number }>();
  const response = await admin.request(`/wp-json/${stack.pluginSlug}/v1/token`, { withNonce: true });
  expect(response.status, response.text).toBe(200);
  const body = response.json<TokenResponse>();
  expect(body.channels).toEqual(expect.arrayContaining(['public', `private-user-${me.id}`, 'role-administrator']));
  const check = verifyToken(body.token, stack.secret);
  expect(check.ok && check.claims.sub).toBe(String(me.id));
  expect(await relayAccepts(relay.url, body.token)).toBe(true);
});
