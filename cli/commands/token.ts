import { Command, Option } from 'commander';
import { CHANNEL_PATTERN, DEFAULT_CHANNEL, type MemberInfo, memberInfoProblem, mintToken, TOKEN_DEFAULT_TTL, TOKEN_MAX_TTL, USER_ID_PATTERN } from '../../protocol/index.js';
import { UsageError } from '../errors.js';
import { integerInRange, requireSecret } from '../options.js';

interface TokenFlags {
  secret?: string;
  user?: string;
  channels: string;
  ttl: number;
  name?: string;
  avatar?: string;
}

export function tokenCommand(): Command {
  return new Command('token')
    .description('print a client token that lets a socket.io client read the given channels')
    .addOption(new Option('--secret <s>', 'shared secret').env('WP_REALTIME_SECRET'))
    .option('--user <id>', 'user id the token is for (default: anonymous)')
    .option('--channels <a,b>', 'comma-separated channels the token may read', DEFAULT_CHANNEL)
    .option('--ttl <seconds>', `lifetime in seconds (at most ${TOKEN_MAX_TTL})`, integerInRange(1, TOKEN_MAX_TTL), TOKEN_DEFAULT_TTL)
    .option('--name <display name>', 'presence member info: the display name others see (required for presence-* channels)')
    .option('--avatar <url>', 'presence member info: avatar URL (http or https)')
    .action((flags: TokenFlags) => {
      const secret = requireSecret(flags.secret, 'token');
      const channels = flags.channels.split(',').map((c) => c.trim()).filter(Boolean);
      const badChannel = channels.find((c) => !CHANNEL_PATTERN.test(c));
      if (badChannel !== undefined) throw new UsageError(`token: channel "${badChannel}" must match ${CHANNEL_PATTERN.source}`);
      if (flags.user !== undefined && !USER_ID_PATTERN.test(flags.user)) {
        throw new UsageError(`token: --user must match ${USER_ID_PATTERN.source}`);
      }
      if (flags.avatar !== undefined && flags.name === undefined) throw new UsageError('token: --avatar needs --name');
      const info: MemberInfo | undefined = flags.name === undefined ? undefined : { name: flags.name, ...(flags.avatar === undefined ? {} : { avatar: flags.avatar }) };
      const infoProblem = info === undefined ? null : memberInfoProblem(info);
      if (infoProblem !== null) throw new UsageError(`token: ${infoProblem}`);
      try {
        process.stdout.write(`${mintToken({ secret, user: flags.user, channels, ttl: flags.ttl, info })}\n`);
      } catch (error) {
        // The presence rules (a user and --name for presence-* channels) are the protocol's: its message says which.
        if (error instanceof RangeError) throw new UsageError(`token: ${error.message}`);
        throw error;
      }
    });
}
