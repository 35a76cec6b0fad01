import { Command } from 'commander';
import { generateSecret } from '../../protocol/index.js';

export function secretCommand(): Command {
  return new Command('secret')
    .description('print a new random secret (32 random bytes, base64url) to share between WordPress and the relay')
    .action(() => {
      process.stdout.write(`${generateSecret()}\n`);
    });
}
