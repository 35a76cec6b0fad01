/**
 * The block editor across WordPress versions: where the blocks are drawn (inside the `editor-canvas` iframe when
 * the editor is iframed — always on 7.x, on 6.3+ when every block uses API version 3 — in the page itself on 6.1),
 * and the console messages that come from the plugin's block.
 */
import type { ConsoleMessage, FrameLocator, Page } from '@playwright/test';

export type EditorCanvas = Page | FrameLocator;

const CANVAS_IFRAME = 'iframe[name="editor-canvas"]';

/**
 * The canvas once the editor has drawn it: the iframe's content when there is one, else the page. The iframe or the
 * non-iframed writing area (`.editor-styles-wrapper`, which in iframed editors only exists inside the iframe) shows
 * first, so whichever appears decides.
 */
export async function editorCanvas(page: Page, timeoutMs = 120_000): Promise<EditorCanvas> {
  await page.locator(`${CANVAS_IFRAME}, .editor-styles-wrapper`).first().waitFor({ timeout: timeoutMs });
  return (await page.locator(CANVAS_IFRAME).count()) > 0 ? page.frameLocator(CANVAS_IFRAME) : page;
}

/**
 * The editor has loaded its scripts and knows this block type: the page's load event has fired, the editor store
 * has a post, and the block is registered (its script is among the last the editor loads). Concrete signals instead
 * of `networkidle`, which never comes on 6.6+ (the editor keeps a request open).
 */
export async function waitForEditorReady(page: Page, blockName: string, timeoutMs = 120_000): Promise<void> {
  await page.waitForLoadState('load', { timeout: timeoutMs });
  await page.waitForFunction(
    (name) => {
      const wp = (window as unknown as { wp?: { data?: { select(s: string): { getCurrentPostId?(): unknown } }; blocks?: { getBlockType(n: string): unknown } } }).wp;
      return Boolean(wp?.data?.select('core/editor')?.getCurrentPostId?.() && wp.blocks?.getBlockType(name));
    },
    blockName,
    { timeout: timeoutMs, polling: 250 },
  );
}

export interface ConsoleEntry {
  type: string;
  text: string;
  url: string;
}

/** Every console message and uncaught error of the page and its frames (the canvas iframe included), from now on. */
export function watchConsole(page: Page): ConsoleEntry[] {
  const entries: ConsoleEntry[] = [];
  page.on('console', (message: ConsoleMessage) => entries.push({ type: message.type(), text: message.text(), url: message.location().url }));
  page.on('pageerror', (error) => entries.push({ type: 'pageerror', text: `${error.message}\n${error.stack ?? ''}`, url: '' }));
  return entries;
}

/** Components the block's editor uses: a deprecation naming one of them (`wp.components.TextControl …`) is the block's. */
const BLOCK_COMPONENTS = ['FormTokenField', 'PanelBody', 'RangeControl', 'TextControl', 'ToggleControl', 'InspectorControls'];

/**
 * The entries that come from the plugin's block: they name the block (`<slug>/live-notifications`), its CSS class
 * or script handles (`<slug>-live-notifications-…`), come from a file of the plugin, or are a deprecation of a
 * component the block's editor uses.
 */
export function entriesFromBlock(entries: readonly ConsoleEntry[], slug: string): ConsoleEntry[] {
  const marks = [`${slug}/live-notifications`, `${slug}-live-notifications`, `/plugins/${slug}/`];
  const components = new RegExp(`wp\\.components\\.(?:${BLOCK_COMPONENTS.join('|')})\\b`);
  return entries.filter(({ text, url }) => marks.some((mark) => text.includes(mark) || url.includes(mark)) || components.test(text));
}
