/**
 * A tiny site for the view script in a real browser: one page holding the block markup exactly as the PHP renders
 * it, the built view.js, and a token route answering like the plugin's (`GET /wp-json/<ns>/v1/token`). The page's
 * `wp.apiFetch` and `wp.i18n` are the minimal parts of WordPress's globals the bundle uses.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { TokenResponse } from '../../src/client/token-response.js';

const VIEW_SCRIPT = fileURLToPath(new URL('../../build/view.js', import.meta.url));

export interface PageServer {
  url: string;
  tokenRequests: number;
  close(): Promise<void>;
}

function page(config: object): string {
  const attribute = JSON.stringify(config).replaceAll('&', '&amp;').replaceAll('"', '&quot;');
  return `<!doctype html><html><head><meta charset="utf-8">
<script>
window.wp = {
  i18n: { __: (text) => text, sprintf: (format, ...args) => format.replace(/%s/g, () => args.shift()) },
  apiFetch: async ({ path }) => {
    const response = await fetch('/wp-json' + path);
    if (!response.ok) throw { code: 'http_' + response.status };
    return response.json();
  },
};
</script>
<script src="/view.js"></script>
</head><body>
<div class="wp-block-wp-realtime-live-notifications" data-live-notifications="${attribute}"><h2 class="wp-block-wp-realtime-live-notifications__heading">News</h2><p class="wp-block-wp-realtime-live-notifications__status">Connecting…</p><ul class="wp-block-wp-realtime-live-notifications__list" aria-live="polite"></ul></div>
</body></html>`;
}

export async function startPageServer(config: object, token: () => TokenResponse): Promise<PageServer> {
  const script = await readFile(VIEW_SCRIPT);
  const state = { tokenRequests: 0 };
  const server: Server = createServer((req, res) => {
    if (req.url === '/view.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(script);
    } else if (req.url?.startsWith('/wp-json/')) {
      state.tokenRequests++;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(token()));
    } else {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page(config));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/news/`,
    get tokenRequests() {
      return state.tokenRequests;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
