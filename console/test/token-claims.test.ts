// The token inspector decodes tokens minted by the project's own implementation (protocol/token.ts, which the PHP
// signer matches byte for byte), and names what is wrong with anything else.
import { describe, expect, it } from 'vitest';
import { mintToken, TOKEN_LEEWAY_SECONDS as PROTOCOL_LEEWAY, TOKEN_PREFIX as PROTOCOL_PREFIX } from '../../protocol/token.js';
import { channelKind, inspectToken, TOKEN_LEEWAY_SECONDS, TOKEN_PREFIX } from '../src/token-claims.js';

const secret = 'a'.repeat(43);
const now = 1_900_000_000;

describe('token inspector', () => {
  it('uses the protocol prefix and leeway', () => {
    expect(TOKEN_PREFIX).toBe(PROTOCOL_PREFIX);
    expect(TOKEN_LEEWAY_SECONDS).toBe(PROTOCOL_LEEWAY);
  });

  it('decodes a minted token: claims, channels by kind, time left', () => {
    const token = mintToken({ secret, user: '7', channels: ['public', 'private-user-7', 'role-editor', 'ops'], ttl: 120, now });
    const result = inspectToken(`  ${token}\n`, (now + 20) * 1000);
    expect(result).toEqual({
      ok: true,
      claims: { sub: '7', ch: ['public', 'private-user-7', 'role-editor', 'ops'], iat: now, exp: now + 120 },
      channels: [
        { name: 'public', kind: 'public' },
        { name: 'private-user-7', kind: 'user' },
        { name: 'role-editor', kind: 'role' },
        { name: 'ops', kind: 'private' },
      ],
      expiresInSeconds: 100,
      expired: false,
      lifetimeSeconds: 120,
    });
  });

  it('calls a token expired as the relay does: past exp plus the leeway', () => {
    const token = mintToken({ secret, channels: ['public'], ttl: 60, now });
    expect(inspectToken(token, (now + 60 + TOKEN_LEEWAY_SECONDS) * 1000)).toMatchObject({ ok: true, expired: false });
    expect(inspectToken(token, (now + 61 + TOKEN_LEEWAY_SECONDS) * 1000)).toMatchObject({ ok: true, expired: true, expiresInSeconds: -(1 + TOKEN_LEEWAY_SECONDS) });
  });

  it('names what is wrong with text that is no token', () => {
    const claims = (value: unknown) => `wprt1.${Buffer.from(JSON.stringify(value)).toString('base64url')}.c2ln`;
    const cases: Array<[string, string]> = [
      ['', 'empty'],
      ['eyJhbGciOi.x.y', 'not_a_token'],
      ['wprt1.abc', 'not_a_token'],
      ['wprt1.e30.si+g', 'bad_signature_encoding'],
      ['wprt1.%%%.c2ln', 'bad_claims_encoding'],
      [`wprt1.${Buffer.from([0xff, 0xfe]).toString('base64url')}.c2ln`, 'bad_claims_encoding'],
      [`wprt1.${Buffer.from('{').toString('base64url')}.c2ln`, 'claims_not_json'],
      [claims(null), 'claims_not_json'],
      [claims({ ch: [], iat: 1, exp: 2 }), 'bad_sub'],
      [claims({ sub: '1', ch: ['no spaces'], iat: 1, exp: 2 }), 'bad_channels'],
      [claims({ sub: '1', ch: 'public', iat: 1, exp: 2 }), 'bad_channels'],
      [claims({ sub: '1', ch: [], iat: 3, exp: 2 }), 'bad_times'],
      [claims({ sub: '1', ch: [], iat: 1.5, exp: 2 }), 'bad_times'],
    ];
    for (const [input, problem] of cases) expect(inspectToken(input, now * 1000), input).toEqual({ ok: false, problem });
  });

  it('sorts channels into kinds', () => {
    expect(['public', 'public-news', 'private-user-1', 'role-administrator', 'orders'].map(channelKind)).toEqual(['public', 'public', 'user', 'role', 'private']);
  });
});
