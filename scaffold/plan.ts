/**
 * What `scaffold` will do, computed without touching the disk: validated inputs, the target paths and every file's
 * bytes. Writing happens only once a plan exists, so bad input can never leave anything behind.
 */
import { basename, dirname, join, resolve } from 'node:path';
import { blockFiles, consoleFiles, type ScaffoldFile } from './block-assets.js';
import { buildContext, type TemplateContext } from './context.js';
import { authorProblem, defaultName, namespaceProblem, nameProblem, parseContributors, slugProblem } from './naming.js';
import { renderTemplates } from './render.js';
import { targetProblem } from './write.js';

export interface ScaffoldRequest {
  slug: string;
  name?: string;
  namespace?: string;
  dir?: string;
  relayUrl?: string;
  /** The plugin header's Author (omitted when not given). */
  author?: string;
  /** WordPress.org usernames for readme.txt's Contributors, comma-separated (omitted when not given). */
  contributors?: string;
  force: boolean;
  block: boolean;
  zip: boolean;
}

export interface ScaffoldPlan {
  context: TemplateContext;
  dir: string;
  zipPath: string | null;
  files: ScaffoldFile[];
}

/** Bad input (exit 2): the message says what to change. */
export class ScaffoldInputError extends Error {
  override name = 'ScaffoldInputError';
}

function check(problem: string | null): void {
  if (problem !== null) throw new ScaffoldInputError(problem);
}

export async function planScaffold(request: ScaffoldRequest, cwd = process.cwd()): Promise<ScaffoldPlan> {
  check(slugProblem(request.slug));
  const name = request.name ?? defaultName(request.slug);
  check(nameProblem(name));
  const namespace = request.namespace ?? request.slug;
  check(namespaceProblem(namespace));
  if (request.author !== undefined) check(authorProblem(request.author));
  const parsed = request.contributors === undefined ? { contributors: [] } : parseContributors(request.contributors);
  if ('problem' in parsed) throw new ScaffoldInputError(parsed.problem);
  const dir = resolve(cwd, request.dir ?? request.slug);
  check(await targetProblem(dir, request.force));
  // The zip sits next to the plugin folder, named after the slug (the folder WordPress unpacks it into).
  const zipPath = request.zip ? join(dirname(dir), `${request.slug}.zip`) : null;
  if (zipPath) check(await targetProblem(zipPath, request.force, 'file'));
  if (zipPath && basename(dir) === basename(zipPath)) throw new ScaffoldInputError(`--dir ${dir} collides with the zip's path`);

  const context = buildContext({
    slug: request.slug,
    name,
    namespace,
    relayUrl: request.relayUrl ?? '',
    block: request.block,
    author: request.author,
    contributors: parsed.contributors,
  });
  const files = await renderTemplates(context);
  if (context.block) files.push(...(await blockFiles({ namespace, textDomain: context.textDomain })));
  // The console is an admin tool, independent of the block: every plugin ships it.
  files.push(...(await consoleFiles({ namespace, textDomain: context.textDomain })));
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { context, dir, zipPath, files };
}
