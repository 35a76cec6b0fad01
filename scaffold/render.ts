/**
 * Renders plugin-template/ into the files of one plugin. Template paths mirror the generated tree with a `.hbs`
 * suffix, and path segments may hold `{{slug}}`. The templates are PHP, so Handlebars never HTML-escapes
 * (`noEscape`); PHP escapes late, and values placed inside PHP string literals go through the `php` helper.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { ScaffoldFile } from './block-assets.js';
import type { TemplateContext } from './context.js';

export const TEMPLATE_DIR = fileURLToPath(new URL('../../plugin-template', import.meta.url));
const TEMPLATE_SUFFIX = '.hbs';
/** Tests of the templates live next to them but are not part of a plugin. */
const NOT_TEMPLATES = new Set(['test']);
/** Templates that only belong to a plugin that ships the block (`--no-block` leaves them out). */
export const BLOCK_ONLY_TEMPLATES = new Set(['includes/class-{{slug}}-block.php.hbs', 'includes/class-{{slug}}-whos-here-block.php.hbs']);

function createEngine(): typeof Handlebars {
  const engine = Handlebars.create();
  /** A single-quoted PHP string literal holding the value exactly. */
  engine.registerHelper('php', (value: unknown) => `'${String(value).replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`);
  return engine;
}

async function listTemplates(dir: string, root = dir): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map(async (entry) => {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) return dir === root && NOT_TEMPLATES.has(entry.name) ? [] : listTemplates(full, root);
      return entry.name.endsWith(TEMPLATE_SUFFIX) ? [relative(root, full).split('\\').join('/')] : [];
    }),
  );
  return nested.flat();
}

export function outputPath(templatePath: string, context: TemplateContext): string {
  return templatePath.slice(0, -TEMPLATE_SUFFIX.length).replaceAll('{{slug}}', context.slug);
}

/** Every template rendered for this context, sorted by output path; throws naming the template that failed. */
export async function renderTemplates(context: TemplateContext, templateDir = TEMPLATE_DIR): Promise<ScaffoldFile[]> {
  const engine = createEngine();
  const templates = (await listTemplates(templateDir)).filter((path) => context.block || !BLOCK_ONLY_TEMPLATES.has(path));
  if (context.block) {
    for (const required of BLOCK_ONLY_TEMPLATES) {
      if (!templates.includes(required)) throw new Error(`the block template ${required} is missing from ${templateDir}`);
    }
  }
  const files = await Promise.all(
    templates.map(async (templatePath) => {
      const source = await readFile(join(templateDir, templatePath), 'utf8');
      try {
        const render = engine.compile(source, { strict: true, noEscape: true });
        return { path: outputPath(templatePath, context), contents: Buffer.from(render(context)) };
      } catch (error) {
        throw new Error(`template ${templatePath} failed to render: ${(error as Error).message.split('\n')[0]}`, { cause: error });
      }
    }),
  );
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
