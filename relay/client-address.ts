/**
 * The address a request comes from, for the per-IP limits. Behind a load balancer or reverse proxy every request
 * arrives from the proxy, so with `--trust-proxy` the relay reads X-Forwarded-For — but only through proxies it was
 * told to trust: walking the chain from the nearest hop, the first address that is not a trusted proxy is the client.
 * A visitor can therefore not pick its own address by sending the header, and without `--trust-proxy` it is ignored.
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

export type AddressOf = (req: IncomingMessage) => string;

/** Named ranges, as proxy-addr and express name them. */
const NAMED_RANGES: Record<string, [string, number, 'ipv4' | 'ipv6'][]> = {
  loopback: [['127.0.0.0', 8, 'ipv4'], ['::1', 128, 'ipv6']],
  linklocal: [['169.254.0.0', 16, 'ipv4'], ['fe80::', 10, 'ipv6']],
  uniquelocal: [['10.0.0.0', 8, 'ipv4'], ['172.16.0.0', 12, 'ipv4'], ['192.168.0.0', 16, 'ipv4'], ['fc00::', 7, 'ipv6']],
};

export class TrustProxyError extends Error {}

/** Builds the trusted set from `loopback`, `linklocal`, `uniquelocal`, addresses and CIDR subnets; throws on anything else. */
export function trustedProxies(values: readonly string[]): BlockList {
  const list = new BlockList();
  for (const value of values) {
    const named = NAMED_RANGES[value];
    if (named) {
      for (const [network, prefix, family] of named) list.addSubnet(network, prefix, family);
      continue;
    }
    const [address = '', prefixText] = value.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? bits : Number(prefixText);
    if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > bits || (prefixText !== undefined && !/^\d+$/.test(prefixText))) {
      throw new TrustProxyError(`"${value}" is not an IP address, a CIDR subnet (10.0.0.0/8) or one of loopback, linklocal, uniquelocal`);
    }
    list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

/** An IPv4 client seen through a dual-stack socket (::ffff:203.0.113.7) is the IPv4 address. */
function normalize(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

function isTrusted(list: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The TCP peer's address, and whether it is one of the trusted proxies: the raw connection cap does not apply to a
 * proxy, which carries many visitors' connections (the per-IP limits above it count each visitor).
 */
export function peerClassifier(trustProxy: readonly string[]): (remoteAddress: string | undefined) => { address: string; trusted: boolean } {
  const trusted = trustProxy.length === 0 ? undefined : trustedProxies(trustProxy);
  return (remoteAddress) => {
    const address = normalize(remoteAddress ?? 'unknown');
    return { address, trusted: trusted !== undefined && isTrusted(trusted, address) };
  };
}

export function addressResolver(trustProxy: readonly string[]): AddressOf {
  const peer = (req: IncomingMessage): string => normalize(req.socket.remoteAddress ?? 'unknown');
  if (trustProxy.length === 0) return peer;
  const trusted = trustedProxies(trustProxy);
  return (req) => {
    let address = peer(req);
    const header = req.headers['x-forwarded-for'];
    if (!isTrusted(trusted, address) || typeof header !== 'string') return address;
    const hops = header.split(',');
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = normalize((hops[i] ?? '').trim());
      // A malformed entry ends the walk: what the proxies vouched for so far is all that can be believed.
      if (isIP(hop) === 0) return address;
      address = hop;
      if (!isTrusted(trusted, address)) return address;
    }
    return address;
  };
}
