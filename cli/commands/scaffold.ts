import { Command, Option } from 'commander';
import type { ScaffoldPlan } from '../../scaffold/plan.js';
import { RuntimeFailure, UsageError } from '../errors.js';
import { parseHttpUrl } from '../options.js';

interface ScaffoldFlags {
  name?: string;
  namespace?: string;
  dir?: string;
  relayUrl?: string;
  author?: string;
  contributors?: string;
  force: boolean;
  dryRun: boolean;
  block: boolean;
  zip: boolean;
  json: boolean;
}

function summary(plan: ScaffoldPlan, dryRun: boolean): Record<string, unknown> {
  const { slug, name, namespace, block, functionPrefix, classPrefix, constantPrefix, textDomain, queryVar, restNamespace } =
    plan.context;
  return {
    slug,
    name,
    namespace,
    block,
    dryRun,
    dir: plan.dir,
    zip: plan.zipPath,
    files: plan.files.map((file) => file.path),
    names: { functionPrefix, classPrefix, constantPrefix, textDomain, queryVar, restNamespace },
  };
}

function printHuman(plan: ScaffoldPlan, dryRun: boolean): void {
  const lines = [
    `${dryRun ? 'Would write' : 'Wrote'} ${plan.files.length} files to ${plan.dir}:`,
    ...plan.files.map((file) => `  ${file.path}`),
  ];
  if (plan.zipPath) lines.push(`${dryRun ? 'Would write' : 'Wrote'} ${plan.zipPath} (upload it under Plugins → Add New → Upload)`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function scaffoldCommand(): Command {
  return new Command('scaffold')
    .description('write a WordPress plugin that sends events to a relay (and ships the Live Notifications block)')
    .argument('<slug>', 'plugin slug, e.g. acme-live (3–40 chars of a-z, 0-9, -)')
    .option('--name <title>', 'plugin name shown in WordPress (default: the slug in title case)')
    .option('--namespace <ns>', 'block namespace (default: the slug)')
    .option('--dir <path>', 'where to write the plugin (default: ./<slug>)')
    .addOption(new Option('--relay-url <url>', 'relay URL the plugin starts with').env('WP_REALTIME_RELAY_URL').argParser(parseHttpUrl))
    .option('--author <name>', "the plugin header's Author (default: no Author line)")
    .option('--contributors <users>', "WordPress.org usernames for readme.txt's Contributors, comma-separated (default: no Contributors line)")
    .option('--force', 'replace an existing directory (and zip)', false)
    .option('--dry-run', 'list the files, write nothing', false)
    .option('--no-block', 'leave out the Live Notifications block')
    .option('--zip', 'also write <slug>.zip next to the directory', false)
    .option('--json', 'print a machine-readable summary on stdout', false)
    .action(async (slug: string, flags: ScaffoldFlags) => {
      // Loaded when the command runs, not for every `wp-realtime …` (--help must start in well under a second).
      const [{ planScaffold, ScaffoldInputError }, { writeFileAtomically, writePluginDir }, { zipPlugin }] = await Promise.all([
        import('../../scaffold/plan.js'),
        import('../../scaffold/write.js'),
        import('../../scaffold/zip.js'),
      ]);
      let plan: ScaffoldPlan;
      try {
        plan = await planScaffold({ slug, ...flags });
      } catch (error) {
        if (error instanceof ScaffoldInputError) throw new UsageError(`scaffold: ${error.message}`);
        throw new RuntimeFailure(`scaffold: ${(error as Error).message}`);
      }
      if (!flags.dryRun) {
        try {
          const zip = plan.zipPath ? await zipPlugin(plan.context.slug, plan.files) : null;
          await writePluginDir(plan.dir, plan.files);
          if (zip && plan.zipPath) await writeFileAtomically(plan.zipPath, zip);
        } catch (error) {
          throw new RuntimeFailure(`scaffold: could not write the plugin: ${(error as Error).message}`);
        }
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(summary(plan, flags.dryRun), null, 2)}\n`);
      else printHuman(plan, flags.dryRun);
    });
}
