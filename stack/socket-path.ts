/**
 * Unix socket paths are limited to 107 bytes; a checkout deep in the file system can exceed that. Such a socket
 * goes to the system's temp dir under a name derived from the wanted path (stable per instance, so a leftover is
 * found again).
 */
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const MAX_SOCKET_PATH = 100;

export function shortSocketPath(wanted: string): string {
  if (Buffer.byteLength(wanted) <= MAX_SOCKET_PATH) return wanted;
  const hash = createHash('sha256').update(wanted).digest('hex').slice(0, 12);
  return join(tmpdir(), `wp-realtime-${hash}-${basename(wanted)}`);
}
