/**
 * Client sockets to one server address and port are told apart by their source address and port, so one source
 * address gives at most the kernel's ephemeral port range (28,232 ports by default on Linux) connections. The scale
 * scenario spreads its subscribers over several loopback addresses (all of 127.0.0.0/8 is the loopback interface on
 * Linux, nothing to configure), and checks up front that both processes may hold that many descriptors.
 */
import { readFileSync } from 'node:fs';

/** Connections per source address: well inside the ephemeral range, which TIME_WAIT sockets of earlier runs share. */
export function connectionsPerSourceAddress(): number {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low !== undefined && high !== undefined && high > low) return Math.min(20_000, Math.floor((high - low) * 0.7));
  } catch {
    // Not Linux: keep the default below.
  }
  return 20_000;
}

/** 127.0.0.2, 127.0.0.3, …: at least two, so that the spreading itself is exercised at every size. */
export function sourceAddressesFor(subscribers: number): string[] {
  const count = Math.max(2, Math.ceil(subscribers / connectionsPerSourceAddress()));
  if (count > 250) throw new Error(`${subscribers} subscribers need ${count} source addresses; 127.0.0.2–127.0.0.251 is the most this uses`);
  return Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`);
}

/** The hard limit on open files (`ulimit -Hn`) that this process and its children inherit. */
export function openFileHardLimit(): number {
  const line = readFileSync('/proc/self/limits', 'utf8').match(/^Max open files\s+\S+\s+(\d+|unlimited)/m);
  return line?.[1] === undefined || line[1] === 'unlimited' ? Infinity : Number(line[1]);
}

/** Descriptors a process needs beyond its sockets: stdio, IPC, the publisher's keep-alive pool, node's own. */
export const DESCRIPTOR_MARGIN = 512;

/** Throws, saying what to do, when the server or the load generator could not hold `subscribers` sockets. */
export function assertScaleFits(subscribers: number, hardLimit = openFileHardLimit()): void {
  const needed = subscribers + DESCRIPTOR_MARGIN;
  if (hardLimit >= needed) return;
  throw new Error(
    `the scale scenario holds ${subscribers} sockets in the server and as many in the load generator, so each needs ` +
      `${needed} open files, but the hard limit (\`ulimit -Hn\`) is ${hardLimit}. Raise it before \`npm run bench\` ` +
      `(as root: \`ulimit -Hn ${needed}\`; systemd: LimitNOFILE=; Docker: --ulimit nofile=${needed}:${needed}; it needs ` +
      `CAP_SYS_RESOURCE), or run --scale ${Math.max(1, hardLimit - DESCRIPTOR_MARGIN)} at most`,
  );
}
