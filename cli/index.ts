/** The `wp-realtime` program: wires one command per file; commands hold no shared state. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { devCommand } from './commands/dev.js';
import { doctorCommand } from './commands/doctor.js';
import { emitCommand } from './commands/emit.js';
import { relayCommand } from './commands/relay.js';
import { scaffoldCommand } from './commands/scaffold.js';
import { secretCommand } from './commands/secret.js';
import { tailCommand } from './commands/tail.js';
import { tokenCommand } from './commands/token.js';
import { EXIT_OK, EXIT_USAGE, exitCodeFor, reportError, writeErrorLine } from './errors.js';
import { guardStdio } from './stdio.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Commander's own errors (unknown option, bad value) come out in the same one-line shape as the commands'. */
function usageErrorsLikeOurs(command: Command, path: string): Command {
  return command.configureOutput({
    outputError: (text) => writeErrorLine(`${path ? `${path}: ` : ''}${text.trim().replace(/^error: /, '')} (see \`wp-realtime ${path ? `${path} ` : ''}--help\`)`),
  });
}

export function buildProgram(): Command {
  const program = usageErrorsLikeOurs(
    new Command('wp-realtime')
      .description('Real-time events for WordPress: a signed relay, a plugin scaffolder and a Live Notifications block.')
      .version(version)
      .exitOverride(),
    '',
  );
  for (const command of [relayCommand(), scaffoldCommand(), emitCommand(), tokenCommand(), secretCommand(), tailCommand(), devCommand(), doctorCommand()]) {
    program.addCommand(usageErrorsLikeOurs(command.exitOverride(), command.name()));
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  guardStdio();
  try {
    await buildProgram().parseAsync(argv);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message (bad flag, missing argument) or the help/version text.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    reportError(error);
    return exitCodeFor(error);
  }
}

const code = await main(process.argv);
// Long-running commands (relay, dev) resolve only when they have stopped, so exiting here is always safe.
process.exitCode = code;
