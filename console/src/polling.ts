/**
 * Repeats an async task every few seconds without ever overlapping: the next run is scheduled when the previous one
 * has finished, so a slow WordPress (Playground answers one request at a time) is never sent a pile of requests.
 * Runs are skipped while the tab is hidden.
 */
import { useEffect } from '@wordpress/element';

export function usePolling(
	task: () => Promise< void >,
	intervalMs: number,
	deps: readonly unknown[]
): void {
	useEffect( () => {
		let stopped = false;
		let timer: ReturnType< typeof setTimeout > | undefined;
		async function tick() {
			if ( ! document.hidden ) {
				try {
					await task();
				} catch {
					// The task reports its own failures; polling goes on.
				}
			}
			if ( ! stopped ) {
				timer = setTimeout( () => void tick(), intervalMs );
			}
		}
		void tick();
		return () => {
			stopped = true;
			clearTimeout( timer );
		};
		// The caller names what the task depends on.
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, deps );
}
