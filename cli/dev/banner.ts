/** What `wp-realtime dev` prints once everything runs: where to look, how to log in, how to send an event. */
export interface DevUrls {
  siteUrl: string;
  pageUrl: string;
  relayUrl: string;
  adminUser: string;
  adminPassword: string;
  secret: string;
  secretConstant: string;
  runtime: string;
  seconds: number;
  /** How to run the CLI from the user's directory (see cli/invocation.ts). */
  cli: string;
}

export function renderBanner(urls: DevUrls): string {
  const hint = `${urls.cli} emit --relay ${urls.relayUrl} --secret ${urls.secret} --type demo.hello --data '{"title":"Hello"}'`;
  return [
    '',
    `wp-realtime dev is ready after ${urls.seconds.toFixed(1)}s (WordPress runtime: ${urls.runtime})`,
    `  Site:   ${urls.siteUrl}/`,
    `  Page:   ${urls.pageUrl}`,
    `  Admin:  ${urls.siteUrl}/wp-admin/  (login ${urls.adminUser} / ${urls.adminPassword})`,
    `  Relay:  ${urls.relayUrl}`,
    `  Secret: ${urls.secret.slice(0, 4)}… (wp-config constant ${urls.secretConstant}; new on every start)`,
    '',
    'Send an event to the page (a throwaway secret made for this dev session only, so pasting it is fine):',
    `  ${hint}`,
    '',
    'Press Ctrl-C to stop everything.',
    '',
  ].join('\n');
}
