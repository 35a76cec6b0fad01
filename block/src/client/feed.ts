/**
 * What the list shows: newest first, capped at maxItems, only the wanted event types, each event id once.
 * Pure state, no DOM, so ordering, filtering and de-duplication are testable alone.
 */
import type { LiveEvent } from './envelope.js';

/** Ids remembered for de-duplication; more than any replay window the relay keeps per channel by default. */
const REMEMBERED_IDS = 1000;

/**
 * `post.published` matches itself; a trailing `*` matches a prefix (`post.*`); an empty list matches everything.
 *
 * @param type       The event type.
 * @param eventTypes The wanted types.
 */
export function matchesEventTypes(
	type: string,
	eventTypes: readonly string[]
): boolean {
	if ( eventTypes.length === 0 ) {
		return true;
	}
	return eventTypes.some( ( wanted ) =>
		wanted.endsWith( '*' )
			? type.startsWith( wanted.slice( 0, -1 ) )
			: type === wanted
	);
}

export interface FeedOptions {
	maxItems: number;
	eventTypes: readonly string[];
}

export class Feed {
	private readonly shown: LiveEvent[] = [];
	private readonly seen = new Set< string >();
	private readonly seenOrder: string[] = [];

	constructor( private readonly options: FeedOptions ) {}

	/** Newest first. */
	get items(): readonly LiveEvent[] {
		return this.shown;
	}

	/**
	 * Takes one event; true when it joined the list (false for a duplicate or an unwanted type).
	 *
	 * @param event The event as it arrived.
	 */
	accept( event: LiveEvent ): boolean {
		if ( this.seen.has( event.id ) ) {
			return false;
		}
		this.remember( event.id );
		if ( ! matchesEventTypes( event.type, this.options.eventTypes ) ) {
			return false;
		}
		this.shown.unshift( event );
		this.shown.length = Math.min(
			this.shown.length,
			this.options.maxItems
		);
		return true;
	}

	private remember( id: string ): void {
		this.seen.add( id );
		this.seenOrder.push( id );
		if ( this.seenOrder.length > REMEMBERED_IDS ) {
			this.seen.delete( this.seenOrder.shift() as string );
		}
	}
}
