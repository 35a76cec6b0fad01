/**
 * The block editor across WordPress versions. 6.1 renders the post's blocks in the page itself; newer versions
 * (always from 7.x) put them in an iframe named editor-canvas. And `networkidle` never comes on 7.x (the editor's
 * media support check keeps a request open), so the specs wait for concrete things instead.
 */
import type { FrameLocator, Page } from '@playwright/test';

/** Where the post's blocks are rendered: the editor-canvas iframe when there is one, else the page. */
export async function editorCanvas(page: Page): Promise<FrameLocator | Page> {
  const frame = page.locator('iframe[name="editor-canvas"]');
  return (await frame.count()) > 0 ? page.frameLocator('iframe[name="editor-canvas"]') : page;
}

/**
 * The editor has loaded its scripts and knows this block type: the page's load event has fired, the editor store
 * has a post, and the block is registered (its script is among the last the editor loads).
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
