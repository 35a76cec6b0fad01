/**
 * Where the blocks' view scripts say why a block stays offline: console.debug (a level browsers' consoles hide by
 * default), never an error thrown into the page.
 * @param message What went wrong, starting with the block's name.
 * @param detail  The error or value behind it, if any.
 */
export function debug( message: string, detail?: unknown ): void {
	// eslint-disable-next-line no-console
	console.debug( message, detail );
}
