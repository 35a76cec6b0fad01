import { Command, Option } from 'commander';
import { CHANNEL_PATTERN, EVENT_ID_PATTERN, EVENT_TYPE_PATTERN, isPublicChannel, mintToken, TOKEN_MAX_TTL } from '../../protocol/index.js';
import { UsageError } from '../errors.js';
import { integerInRange, parseHttpUrl, requireSecret } from '../options.js';
import { assertRelay } from '../relay-probe.js';
import { onStdoutClosed } from '../stdio.js';
import { formatEvent, typeMatcher } from '../tail/format.js';
import type { TailCredentials } from '../tail/stream.js';

interface TailFlags {
  relay?: string;
  secret?: string;
  token?: string;
  channel?: string[];
  type?: string[];
  json?: boolean;
  lastEventId?: string;
  tokenTtl: number;
}

/** Lifetime of the tokens tail mints for itself: short, since it refreshes them anyway. */
const OWN_TOKEN_TTL = 300;
const TAIL_USER = 'wp-realtime-tail';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

function credentialsFrom(flags: TailFlags, channels: string[] | undefined): TailCredentials {
  if (flags.secret !== undefined && flags.token !== undefined) {
    throw new UsageError('tail: give --secret or --token, not both');
  }
  if (flags.token !== undefined) {
    const token = flags.token;
    return { token: () => token };
  }
  if (flags.secret !== undefined) {
    const secret = requireSecret(flags.secret, 'tail');
    const readable = channels ?? ['public'];
    const ttl = flags.tokenTtl;
    return { token: () => mintToken({ secret, user: TAIL_USER, channels: readable, ttl }), refreshAfterSeconds: ttl };
  }
  const privateChannel = channels?.find((channel) => !isPublicChannel(channel));
  if (privateChannel !== undefined) {
    throw new UsageError(`tail: channel "${privateChannel}" is private; pass --secret <s> (or set WP_REALTIME_SECRET) or --token <t>`);
  }
  return { token: () => undefined };
}

export function tailCommand(): Command {
  return new Command('tail')
    .description('stream events from a relay to the terminal (JSON lines with --json); Ctrl-C stops')
    .addOption(new Option('--relay <url>', 'relay base URL').env('WP_REALTIME_RELAY_URL').argParser(parseHttpUrl))
    .addOption(new Option('--secret <s>', 'shared secret: tail mints its own short-lived token for the channels').env('WP_REALTIME_SECRET'))
    .option('--token <t>', 'a client token (wp-realtime token, or the site\'s /token route) instead of the secret')
    .option('--channel <channel...>', 'channels to read (repeat or comma-separate; default: public and the token\'s)', collect)
    .option('--type <type...>', 'print only these event types (post.* matches a prefix)', collect)
    .option('--json', 'one JSON object (the envelope) per line, for scripts')
    .option('--last-event-id <id>', 'start with the events after this id that the relay still holds')
    .option('--token-ttl <seconds>', 'with --secret: lifetime of the tokens tail mints (refreshed at 80%)', integerInRange(5, TOKEN_MAX_TTL), OWN_TOKEN_TTL)
    .action(async function (this: Command, flags: TailFlags) {
      // Flags win over the environment: a --token given beside an exported WP_REALTIME_SECRET is the one to use.
      if (flags.token !== undefined && this.getOptionValueSource('secret') === 'env') flags.secret = undefined;
      if (!flags.relay) throw new UsageError('tail: no relay URL; pass --relay <url> or set WP_REALTIME_RELAY_URL');
      const badChannel = flags.channel?.find((c) => !CHANNEL_PATTERN.test(c));
      if (badChannel !== undefined) throw new UsageError(`tail: --channel "${badChannel}" must match ${CHANNEL_PATTERN.source}`);
      const badType = flags.type?.find((t) => !EVENT_TYPE_PATTERN.test(t.endsWith('*') ? `${t.slice(0, -1)}x` : t));
      if (badType !== undefined) throw new UsageError(`tail: --type "${badType}" must match ${EVENT_TYPE_PATTERN.source} (or end in *)`);
      if (flags.lastEventId !== undefined && !EVENT_ID_PATTERN.test(flags.lastEventId)) {
        throw new UsageError(`tail: --last-event-id must match ${EVENT_ID_PATTERN.source}`);
      }
      const channels = flags.channel === undefined ? undefined : [...new Set(flags.channel)];
      const credentials = credentialsFrom(flags, channels);
      await assertRelay(flags.relay, 'tail');

      const wanted = typeMatcher(flags.type ?? []);
      const format = { json: flags.json === true, color: process.stdout.isTTY === true && !process.env.NO_COLOR };
      const status = (line: string): void => void process.stderr.write(`wp-realtime tail: ${line}\n`);
      // Loaded when the command runs, not for every `wp-realtime …` (--help must start in well under a second).
      const { startTailStream } = await import('../tail/stream.js');
      const stream = startTailStream({
        relayUrl: flags.relay,
        credentials,
        channels,
        lastEventId: flags.lastEventId,
        onEvent: (event) => {
          if (wanted(event.type)) process.stdout.write(`${formatEvent(event, format)}\n`);
        },
        onStatus: status,
      });
      const stop = (): void => stream.stop();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      // `tail … | head -3`: once the reader is gone there is nobody to print for.
      onStdoutClosed(stop);
      const refusal = await stream.ended;
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      if (refusal !== null) {
        throw new UsageError(`tail: the relay refused the connection (${refusal.code}: ${refusal.message})`);
      }
    });
}
