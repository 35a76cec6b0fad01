/**
 * The boot code every block's view script shares: find the block roots once the markup is there and start each
 * one once. A block that fails to start is marked offline and the others still start.
 */
import { debug } from './debug.js';

export interface MountBlocksOptions {
	/** The data attribute the server renders on each block's root (its config). */
	configAttribute: string;
	/** Set on a root once its block has started (its value is the connection state): such a root is skipped. */
	stateAttribute: string;
	/** Starts the debug message of a block that failed to start, e.g. `live notifications`. */
	label: string;
	/** Starts one block; `index` is the root's position among all roots of this block on the page. */
	mount: ( root: HTMLElement, index: number ) => void;
}

export function mountBlocks( {
	configAttribute,
	stateAttribute,
	label,
	mount,
}: MountBlocksOptions ): void {
	const mountAll = (): void => {
		document
			.querySelectorAll< HTMLElement >( `[${ configAttribute }]` )
			.forEach( ( root, index ) => {
				if ( root.hasAttribute( stateAttribute ) ) {
					return;
				}
				try {
					mount( root, index );
				} catch ( error ) {
					debug( `${ label }: block failed to start`, error );
					root.setAttribute( stateAttribute, 'offline' );
				}
			} );
	};
	// WordPress 6.1 prints block view scripts in the head, so wait for the markup.
	if ( document.readyState === 'loading' ) {
		document.addEventListener( 'DOMContentLoaded', mountAll );
	} else {
		mountAll();
	}
}
