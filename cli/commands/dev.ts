import { Command, Option } from 'commander';
import { slugProblem } from '../../scaffold/naming.js';
import { UsageError } from '../errors.js';
import { parsePort } from '../options.js';

interface DevFlags {
  port: number;
  relayPort: number;
  slug: string;
  server?: 'apache' | 'nginx';
  dbPort?: number;
}

export function devCommand(): Command {
  return new Command('dev')
    .description('run the whole local stack: relay + WordPress (wp-env, or --server apache|nginx) with a demo plugin and a page holding the block; Ctrl-C stops it')
    .option('--port <port>', 'WordPress port', parsePort, 8888)
    .addOption(new Option('--relay-port <port>', 'relay port').env('WP_REALTIME_PORT').argParser(parsePort).default(3000))
    .option('--slug <slug>', 'slug of the demo plugin it scaffolds', 'live-demo')
    .addOption(
      new Option('--server <server>', 'run WordPress on a production stack started here (Debian packages, MariaDB) instead of wp-env').choices(['apache', 'nginx']),
    )
    .option('--db-port <port>', 'MariaDB port for --server (default: a free port)', parsePort)
    .action(async (flags: DevFlags) => {
      const problem = slugProblem(flags.slug);
      if (problem) throw new UsageError(`dev: --slug: ${problem}`);
      if (flags.port === 0 || flags.relayPort === 0) throw new UsageError('dev: --port and --relay-port need a fixed port (1–65535), not 0');
      if (flags.port === flags.relayPort) throw new UsageError(`dev: --port and --relay-port are both ${flags.port}; give them different ports`);
      if (flags.dbPort !== undefined && !flags.server) throw new UsageError('dev: --db-port only applies with --server apache|nginx');
      if (flags.dbPort !== undefined && (flags.dbPort === flags.port || flags.dbPort === flags.relayPort)) throw new UsageError(`dev: --db-port ${flags.dbPort} is already taken by --port or --relay-port`);
      // Loaded when the command runs, not for every `wp-realtime …` (--help must start in well under a second).
      const { runDev } = await import('../dev/run-dev.js');
      await runDev({ port: flags.port, relayPort: flags.relayPort, slug: flags.slug, cwd: process.cwd(), server: flags.server, dbPort: flags.dbPort });
      // Everything is stopped; an idle keep-alive socket must not hold the process open.
      setTimeout(() => process.exit(process.exitCode ?? 0), 3_000).unref();
    });
}
