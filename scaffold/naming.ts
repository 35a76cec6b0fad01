/**
 * Slug validation and the PHP names derived from it. Every identifier in a generated plugin comes from here,
 * so two plugins scaffolded with different slugs never collide on a WordPress site.
 */
export const SLUG_PATTERN = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;
/** A block namespace, as register_block_type accepts it (the part before the slash of a block name). */
export const NAMESPACE_PATTERN = /^[a-z][a-z0-9-]{0,62}[a-z0-9]$/;
const RESERVED_PREFIXES = ['wp-', 'wordpress'];
const MAX_NAME_LENGTH = 80;

export interface PluginNames {
  slug: string;
  textDomain: string;
  /** acme-live → acme_live: functions, options, hooks, the outbox table. */
  functionPrefix: string;
  /** acme-live → Acme_Live */
  classPrefix: string;
  /** acme-live → ACME_LIVE */
  constantPrefix: string;
  queryVar: string;
  restNamespace: string;
}

/** Returns why the slug is unusable, or null. */
export function slugProblem(slug: string): string | null {
  if (!SLUG_PATTERN.test(slug)) {
    return `slug "${slug}" must be 3 to 40 characters of a-z, 0-9 and "-", start with a letter and not end with "-"`;
  }
  if (slug.includes('--')) return `slug "${slug}" must not contain "--"`;
  const reserved = RESERVED_PREFIXES.find((prefix) => slug.startsWith(prefix));
  if (reserved) return `slug "${slug}" must not start with "${reserved}" (reserved by WordPress.org)`;
  return null;
}

export function namespaceProblem(namespace: string): string | null {
  if (!NAMESPACE_PATTERN.test(namespace) || namespace.includes('--')) {
    return `--namespace "${namespace}" must be 2 to 64 characters of a-z, 0-9 and single "-", starting with a letter`;
  }
  return null;
}

/** The plugin's display name lands in a PHP comment header and readme.txt: one line, no comment terminator. */
export function nameProblem(name: string): string | null {
  if (name.trim() === '') return '--name must not be empty';
  if (name.length > MAX_NAME_LENGTH) return `--name must be at most ${MAX_NAME_LENGTH} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return '--name must be one line without control characters';
  if (name.includes('*/') || name.includes('===')) return '--name must not contain "*/" or "==="';
  return null;
}

/** --author lands in the plugin header's `Author:` line: the same one-line rules as the name. */
export function authorProblem(author: string): string | null {
  return nameProblem(author)?.replace('--name', '--author') ?? null;
}

/** A WordPress.org username as readme.txt's `Contributors:` line lists it (the profile's URL slug). */
export const CONTRIBUTOR_PATTERN = /^[a-z0-9](?:[a-z0-9_.-]{0,58}[a-z0-9])?$/;

/** Splits `--contributors a,b` into usernames; returns why it is unusable, or the list. */
export function parseContributors(value: string): { contributors: string[] } | { problem: string } {
  const contributors = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (contributors.length === 0) return { problem: '--contributors must list at least one WordPress.org username' };
  const bad = contributors.find((name) => !CONTRIBUTOR_PATTERN.test(name));
  if (bad !== undefined) {
    return { problem: `--contributors: "${bad}" is not a WordPress.org username (lowercase a-z, 0-9, ".", "_", "-"; comma-separated)` };
  }
  return { contributors: [...new Set(contributors)] };
}

export function defaultName(slug: string): string {
  return slug
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

export function deriveNames(slug: string): PluginNames {
  const functionPrefix = slug.replaceAll('-', '_');
  return {
    slug,
    textDomain: slug,
    functionPrefix,
    classPrefix: functionPrefix
      .split('_')
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
      .join('_'),
    constantPrefix: functionPrefix.toUpperCase(),
    queryVar: `${functionPrefix}_event`,
    restNamespace: `${slug}/v1`,
  };
}
