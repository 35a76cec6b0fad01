/**
 * What `wp-realtime doctor` checks, in order: the site and its plugin, the endpoint and permalinks, clocks, the
 * shared secret on both sides, and the relay as seen from here and from WordPress. Nothing here queues an event.
 */
import { SIGNATURE_HEADER, SIGNATURE_TOLERANCE_SECONDS, signatureHeader } from '../../protocol/index.js';
import type { Finding } from './report.js';
import { call, type Reply, type Unreachable } from './http.js';

export interface DoctorInput {
  site: string;
  relay?: string;
  secret?: string;
  slug?: string;
}

const CLOCK_WARN_SECONDS = 30;
/** WordPress Playground logs in any client without this cookie; on other sites it means nothing. */
const ANONYMOUS = { cookie: 'playground_auto_login_already_happened=1' };

interface SiteApi {
  /** Builds a REST URL for a route such as `/acme-live/v1/ping`, pretty or plain (`?rest_route=`). */
  rest(route: string): string;
  pretty: boolean;
}

function describe(reply: Reply | Unreachable): string {
  if (reply.status === 0) return `unreachable (${reply.error})`;
  const message = reply.json && typeof reply.json.message === 'string' ? `: ${reply.json.message}` : '';
  return `HTTP ${reply.status}${message}`;
}

function skewSeconds(date: Date | null, time?: unknown): number | null {
  const remote = typeof time === 'number' ? time : date ? date.getTime() / 1000 : null;
  return remote === null ? null : Math.round(remote - Date.now() / 1000);
}

function clockFinding(check: string, skew: number | null): Finding {
  if (skew === null) return { check, verdict: 'skip', detail: 'no time to compare' };
  const detail = `${skew >= 0 ? '+' : ''}${skew}s from this machine`;
  if (Math.abs(skew) > SIGNATURE_TOLERANCE_SECONDS) return { check, verdict: 'fail', detail: `${detail}; signatures older than ${SIGNATURE_TOLERANCE_SECONDS}s are refused, sync the clock (NTP)` };
  if (Math.abs(skew) > CLOCK_WARN_SECONDS) return { check, verdict: 'warn', detail: `${detail}; sync the clock (NTP)` };
  return { check, verdict: 'ok', detail };
}

async function findSiteApi(site: string, findings: Finding[]): Promise<{ api: SiteApi; index: Reply } | null> {
  const pretty = await call(`${site}/wp-json/`, { headers: ANONYMOUS });
  if (pretty.status === 200 && pretty.json) {
    findings.push({ check: 'site', verdict: 'ok', detail: `${site} answers (REST API at /wp-json/)` });
    return { api: { pretty: true, rest: (route) => `${site}/wp-json${route}` }, index: pretty as Reply };
  }
  const plain = await call(`${site}/?rest_route=/`, { headers: ANONYMOUS });
  if (plain.status === 200 && plain.json) {
    findings.push({ check: 'site', verdict: 'ok', detail: `${site} answers (REST API at ?rest_route=)` });
    return { api: { pretty: false, rest: (route) => `${site}/?rest_route=${encodeURIComponent(route)}` }, index: plain as Reply };
  }
  findings.push({ check: 'site', verdict: 'fail', detail: `${site}: the WordPress REST API does not answer (${describe(pretty)}); is the URL right and the site up?` });
  return null;
}

function findSlug(index: Reply, wanted: string | undefined, findings: Finding[]): string | null {
  const routes = Object.keys((index.json?.routes as Record<string, unknown> | undefined) ?? {});
  const candidates = ((index.json?.namespaces as string[] | undefined) ?? [])
    .filter((ns) => ns.endsWith('/v1') && routes.includes(`/${ns}/token`) && routes.includes(`/${ns}/ping`))
    .map((ns) => ns.slice(0, -'/v1'.length));
  if (wanted !== undefined) {
    if (candidates.includes(wanted)) {
      findings.push({ check: 'plugin', verdict: 'ok', detail: `${wanted} is active` });
      return wanted;
    }
    findings.push({ check: 'plugin', verdict: 'fail', detail: `no active wp-realtime plugin "${wanted}" (found: ${candidates.join(', ') || 'none'}); activate it` });
    return null;
  }
  if (candidates.length === 1) {
    findings.push({ check: 'plugin', verdict: 'ok', detail: `${candidates[0]} is active` });
    return candidates[0] as string;
  }
  findings.push({
    check: 'plugin',
    verdict: 'fail',
    detail: candidates.length === 0 ? 'no active plugin made by `wp-realtime scaffold` was found; activate it' : `several found (${candidates.join(', ')}); pick one with --slug`,
  });
  return null;
}

async function checkEndpoint(site: string, slug: string, api: SiteApi, findings: Finding[]): Promise<void> {
  const post = { method: 'POST', headers: { ...ANONYMOUS, 'content-type': 'application/json' }, body: '{}' };
  const refusedUnsigned = (reply: Reply | Unreachable): boolean => reply.status === 401 && reply.json !== null;
  const queryVar = `${slug.replaceAll('-', '_')}_event`;
  const viaQuery = await call(`${site}/?${queryVar}=1`, post);
  findings.push(
    refusedUnsigned(viaQuery)
      ? { check: 'endpoint (query var)', verdict: 'ok', detail: `/?${queryVar}=1 refuses unsigned calls as it should` }
      : { check: 'endpoint (query var)', verdict: 'fail', detail: `/?${queryVar}=1 answered ${describe(viaQuery)}; expected 401 from the plugin` },
  );
  const pretty = await call(`${site}/${slug}/v1/event-trigger`, post);
  if (refusedUnsigned(pretty)) {
    findings.push({ check: 'permalinks', verdict: 'ok', detail: `pretty: /${slug}/v1/event-trigger answers` });
  } else if (!api.pretty) {
    findings.push({ check: 'permalinks', verdict: 'warn', detail: `plain permalinks: use /?${queryVar}=1, or switch Settings → Permalinks to a pretty structure` });
  } else {
    findings.push({ check: 'permalinks', verdict: 'fail', detail: `/${slug}/v1/event-trigger answered ${describe(pretty)}; re-save Settings → Permalinks to flush the rewrite rules` });
  }
}

async function checkSiteSecret(api: SiteApi, slug: string, secret: string | undefined, findings: Finding[]): Promise<Record<string, unknown> | null> {
  const route = api.rest(`/${slug}/v1/ping`);
  const plain = await call(route, { headers: ANONYMOUS });
  findings.push(clockFinding('site clock', skewSeconds(plain.date, plain.json?.time)));
  if (secret === undefined) {
    findings.push({ check: 'site secret', verdict: 'skip', detail: 'pass --secret to check that WordPress signs with the same secret' });
    return null;
  }
  const signed = await call(route, { headers: { ...ANONYMOUS, [SIGNATURE_HEADER]: signatureHeader(secret, '') } });
  if (signed.status === 200 && signed.json?.signed === true) {
    findings.push({ check: 'site secret', verdict: 'ok', detail: 'WordPress accepts a request signed with this secret' });
    return signed.json;
  }
  findings.push({ check: 'site secret', verdict: 'fail', detail: `WordPress refused the signature (${describe(signed)}); set the same secret in the plugin settings or wp-config.php` });
  return null;
}

async function relayUrlFromSite(api: SiteApi, slug: string): Promise<string | undefined> {
  const token = await call(api.rest(`/${slug}/v1/token`), { headers: ANONYMOUS });
  return typeof token.json?.relayUrl === 'string' ? token.json.relayUrl.replace(/\/$/, '') : undefined;
}

async function checkRelay(relay: string, secret: string | undefined, findings: Finding[]): Promise<void> {
  const health = await call(`${relay}/healthz`);
  if (health.status !== 200) {
    findings.push({ check: 'relay', verdict: 'fail', detail: `${relay}/healthz: ${describe(health)}; is the relay running (wp-realtime relay)?` });
    return;
  }
  const ready = await call(`${relay}/readyz`);
  findings.push(
    ready.status === 200
      ? { check: 'relay', verdict: 'ok', detail: `${relay} is healthy and ready` }
      : { check: 'relay', verdict: 'fail', detail: `${relay}/readyz: ${describe(ready)}` },
  );
  findings.push(clockFinding('relay clock', skewSeconds(health.date)));
  if (secret === undefined) {
    findings.push({ check: 'relay secret', verdict: 'skip', detail: 'pass --secret to check that the relay uses the same secret' });
    return;
  }
  // An empty batch with a valid signature is refused for its content (400), never for its signature (401).
  const body = '[]';
  const probe = await call(`${relay}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signatureHeader(secret, body) },
    body,
  });
  findings.push(
    probe.status === 400
      ? { check: 'relay secret', verdict: 'ok', detail: 'the relay accepts this secret' }
      : { check: 'relay secret', verdict: 'fail', detail: `the relay refused the signature (${describe(probe)}); start it with the same --secret` },
  );
}

function checkSiteToRelay(ping: Record<string, unknown> | null, findings: Finding[]): void {
  if (!ping) {
    findings.push({ check: 'site → relay', verdict: 'skip', detail: 'needs a valid --secret' });
    return;
  }
  const relay = ping.relay as { url?: string; reachable?: boolean; error?: string | null } | undefined;
  const outbox = ping.outbox as { pending?: number; dead?: number } | undefined;
  if (!relay?.reachable) {
    findings.push({ check: 'site → relay', verdict: 'fail', detail: `WordPress cannot reach its relay ${relay?.url ?? ''} (${relay?.error ?? 'unknown error'}); events wait in the outbox` });
  } else {
    findings.push({ check: 'site → relay', verdict: 'ok', detail: `WordPress reaches ${relay.url}` });
  }
  const dead = outbox?.dead ?? 0;
  findings.push({
    check: 'outbox',
    verdict: dead > 0 ? 'warn' : 'ok',
    detail: `${outbox?.pending ?? 0} pending, ${dead} dead-lettered${dead > 0 ? ' (retry them on the settings page)' : ''}`,
  });
}

export async function runDoctor(input: DoctorInput): Promise<Finding[]> {
  const findings: Finding[] = [];
  const site = input.site.replace(/\/$/, '');
  const found = await findSiteApi(site, findings);
  const slug = found ? findSlug(found.index, input.slug, findings) : null;
  let relay = input.relay;
  let ping: Record<string, unknown> | null = null;
  if (found && slug) {
    await checkEndpoint(site, slug, found.api, findings);
    ping = await checkSiteSecret(found.api, slug, input.secret, findings);
    relay ??= await relayUrlFromSite(found.api, slug);
  }
  if (relay) await checkRelay(relay, input.secret, findings);
  else findings.push({ check: 'relay', verdict: 'skip', detail: 'no relay URL: pass --relay, or configure the plugin' });
  if (found && slug) checkSiteToRelay(ping, findings);
  return findings;
}
