/** The values every template sees. The key names are an interface: the block engineer's templates rely on them. */
import { readFileSync } from 'node:fs';
import { deriveNames, type PluginNames } from './naming.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * The WordPress versions the generated plugin declares, in its header and readme.txt. They state what the test
 * suite proves, and change only with it: CI runs every flow on 6.1.9 (the oldest supported, Debian's) and 6.5.5, and
 * the same suite is run by hand on 7.1 (the current release, which cannot be committed; docs/testing.md).
 * readme.txt takes major.minor for "Tested up to".
 */
export const WORDPRESS_VERSIONS = { requiresAtLeast: '6.1', testedUpTo: '7.1' } as const;

export interface TemplateContext extends PluginNames {
  name: string;
  namespace: string;
  /** Default relay URL baked into the plugin; '' leaves it to the settings page. */
  relayUrl: string;
  block: boolean;
  /** The wp-realtime version that generated the plugin; also the plugin's own starting version. */
  version: string;
  /** The header's `Author:`; '' leaves the line out. */
  author: string;
  /** readme.txt's `Contributors:` (WordPress.org usernames, comma-separated); '' leaves the line out. */
  contributors: string;
  requiresAtLeast: string;
  testedUpTo: string;
}

export interface ContextInput {
  slug: string;
  name: string;
  namespace: string;
  relayUrl: string;
  block: boolean;
  author?: string;
  contributors?: readonly string[];
}

export function buildContext(input: ContextInput): TemplateContext {
  const { contributors = [], author = '', ...rest } = input;
  return { ...deriveNames(input.slug), ...rest, author, contributors: contributors.join(', '), version, ...WORDPRESS_VERSIONS };
}
