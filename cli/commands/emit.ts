import { Command, Option } from 'commander';
import { DEFAULT_CHANNEL, parseIngestBody, SIGNATURE_HEADER, signatureHeader } from '../../protocol/index.js';
import { RuntimeFailure, UsageError } from '../errors.js';
import { parseHttpUrl, requireSecret } from '../options.js';
import { assertRelay } from '../relay-probe.js';

interface EmitFlags {
  relay?: string;
  secret?: string;
  type?: string;
  channel: string;
  data?: string;
  id?: string;
}

function parseData(raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new UsageError(`emit: --data is not valid JSON (${(error as Error).message})`);
  }
}

export function emitCommand(): Command {
  return new Command('emit')
    .description('sign and POST one event to a relay; prints the response')
    .addOption(new Option('--relay <url>', 'relay base URL').env('WP_REALTIME_RELAY_URL').argParser(parseHttpUrl))
    .addOption(new Option('--secret <s>', 'shared secret').env('WP_REALTIME_SECRET'))
    .option('--type <type>', 'event type, e.g. post.published')
    .option('--channel <channel>', 'channel to publish on', DEFAULT_CHANNEL)
    .option('--data <json>', 'event data: a JSON object')
    .option('--id <id>', 'event id (the relay broadcasts an id once)')
    .action(async (flags: EmitFlags) => {
      if (!flags.relay) throw new UsageError('emit: no relay URL; pass --relay <url> or set WP_REALTIME_RELAY_URL');
      const secret = requireSecret(flags.secret, 'emit');
      if (flags.type === undefined) throw new UsageError('emit: --type <type> is required');
      const event = { id: flags.id, channel: flags.channel, type: flags.type, data: parseData(flags.data) };
      const checked = parseIngestBody(JSON.parse(JSON.stringify(event)));
      if (!checked.ok) throw new UsageError(`emit: ${checked.message.replace(/^event\./, '--')}`);

      const body = JSON.stringify(checked.events[0]);
      // A wrong URL (the WordPress site's, most often) is named in a few seconds rather than after the POST's timeout.
      await assertRelay(flags.relay, 'emit');
      let response: Response;
      try {
        response = await fetch(`${flags.relay}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signatureHeader(secret, body) },
          body,
          signal: AbortSignal.timeout(10_000),
        });
      } catch (error) {
        throw new RuntimeFailure(`emit: could not reach the relay at ${flags.relay} (${(error as Error).message}); is it running?`);
      }
      const text = await response.text();
      process.stdout.write(`${text}\n`);
      if (!response.ok) {
        const message = `emit: the relay answered ${response.status}: ${text.slice(0, 300)}`;
        throw response.status >= 500 ? new RuntimeFailure(message) : new UsageError(message);
      }
    });
}
