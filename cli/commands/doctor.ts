import { Command, Option } from 'commander';
import { hasFailure, renderTable } from '../doctor/report.js';
import { RuntimeFailure, UsageError } from '../errors.js';
import { parseHttpUrl } from '../options.js';

interface DoctorFlags {
  site?: string;
  relay?: string;
  secret?: string;
  slug?: string;
  json?: boolean;
}

export function doctorCommand(): Command {
  return new Command('doctor')
    .description('check a site and its relay: endpoint, permalinks, relay health, shared secret, clock skew')
    .option('--site <url>', 'the WordPress site', parseHttpUrl)
    .addOption(new Option('--relay <url>', 'the relay (default: the one the site announces)').env('WP_REALTIME_RELAY_URL').argParser(parseHttpUrl))
    .addOption(new Option('--secret <s>', 'shared secret, to check that both sides use it').env('WP_REALTIME_SECRET'))
    .option('--slug <slug>', 'the plugin to check when the site has several')
    .option('--json', 'print the findings as JSON')
    .action(async (flags: DoctorFlags) => {
      if (!flags.site) throw new UsageError('doctor: --site <url> is required, e.g. --site http://localhost:8888');
      // Loaded when the command runs, not for every `wp-realtime …` (--help must start in well under a second).
      const { runDoctor } = await import('../doctor/checks.js');
      const findings = await runDoctor({ site: flags.site, relay: flags.relay, secret: flags.secret || undefined, slug: flags.slug });
      process.stdout.write(flags.json ? `${JSON.stringify({ ok: !hasFailure(findings), findings }, null, 2)}\n` : renderTable(findings));
      if (hasFailure(findings)) throw new RuntimeFailure('doctor: some checks failed (see the table above)');
    });
}
