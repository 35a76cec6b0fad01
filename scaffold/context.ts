/** The values every template sees. The key names are an interface: the block engineer's templates rely on them. */
import { readFileSync } from 'node:fs';
import { deriveNames, type PluginNames } from './naming.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export interface TemplateContext extends PluginNames {
  name: string;
  namespace: string;
  /** Default relay URL baked into the plugin; '' leaves it to the settings page. */
  relayUrl: string;
  block: boolean;
  /** The wp-realtime version that generated the plugin; also the plugin's own starting version. */
  version: string;
}

export interface ContextInput {
  slug: string;
  name: string;
  namespace: string;
  relayUrl: string;
  block: boolean;
}

export function buildContext(input: ContextInput): TemplateContext {
  return { ...deriveNames(input.slug), ...input, version };
}
