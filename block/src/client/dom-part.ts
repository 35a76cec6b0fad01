/**
 * One named part of a block's server markup (`<tag class="<block class>__<name>">`), shared by the blocks'
 * renderers so each finds its parts the same way.
 * @param root       The block's root element.
 * @param blockClass The block's class, e.g. `wp-block-wp-realtime-live-notifications`.
 * @param tag        The part's element.
 * @param name       The part's name, the class suffix after `__`.
 */
export function blockPart< T extends keyof HTMLElementTagNameMap >(
	root: HTMLElement,
	blockClass: string,
	tag: T,
	name: string
): HTMLElementTagNameMap[ T ] {
	const found = root.querySelector< HTMLElementTagNameMap[ T ] >(
		`${ tag }.${ blockClass }__${ name }`
	);
	if ( found ) {
		return found;
	}
	// Markup changed by a filter or a cache: rebuild the missing part rather than fail.
	const created = document.createElement( tag );
	created.className = `${ blockClass }__${ name }`;
	root.append( created );
	return created;
}
