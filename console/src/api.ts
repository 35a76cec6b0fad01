/**
 * The console's calls to the plugin's REST API through @wordpress/api-fetch, which WordPress sets up in wp-admin
 * with the site's REST root and the user's `wp_rest` nonce. Publishing goes through the plugin's ordinary
 * `POST /events` route, so the validator, the publish policy and the outbox apply exactly as for any other sender.
 */
import apiFetch from '@wordpress/api-fetch';
import {
	parseTokenResponse,
	type TokenResponse,
} from '../../block/src/client/token-response.js';
import type { EventToPublish } from './event-form.js';

export type OutboxStatus = 'pending' | 'sent' | 'dead';

export interface OutboxCounts {
	pending: number;
	sent: number;
	dead: number;
}

export interface OutboxItem {
	id: string;
	channel: string;
	type: string;
	data: unknown;
	status: OutboxStatus;
	attempts: number;
	nextAttemptAt: number;
	lastError: string | null;
	createdAt: string;
}

export interface OutboxPage {
	status: OutboxStatus;
	items: OutboxItem[];
	total: number;
	page: number;
	perPage: number;
	totalPages: number;
	counts: OutboxCounts;
}

export interface RelayHealth {
	relay: {
		url: string;
		reachable: boolean;
		status: number | null;
		error: string | null;
	};
	serverTime: number;
	clockSkewSeconds: number | null;
	metrics: string | null;
	metricsError: string | null;
}

export interface RetryResult {
	requeued: number;
	statuses: Record< string, string | null >;
	error: string | null;
	counts: OutboxCounts;
}

/**
 * The message of a failed api-fetch call (a WP_Error's JSON, or a network failure).
 *
 * @param error What apiFetch rejected with.
 */
export function errorMessage( error: unknown ): string {
	if ( typeof error === 'object' && error !== null && 'message' in error ) {
		const { message } = error as { message: unknown };
		if ( typeof message === 'string' && message !== '' ) {
			return message;
		}
	}
	return String( error );
}

export function createApi( restNamespace: string ) {
	const path = ( route: string ) => `/${ restNamespace }${ route }`;
	return {
		async token( channels: readonly string[] ): Promise< TokenResponse > {
			const query = encodeURIComponent( channels.join( ',' ) );
			return parseTokenResponse(
				await apiFetch( {
					path: path( `/console/token?channels=${ query }` ),
				} )
			);
		},
		publish( event: EventToPublish ) {
			return apiFetch< { status: string; id: string } >( {
				path: path( '/events' ),
				method: 'POST',
				data: event,
			} );
		},
		outbox( status: OutboxStatus, page: number, perPage: number ) {
			return apiFetch< OutboxPage >( {
				path: path(
					`/console/outbox?status=${ status }&page=${ page }&per_page=${ perPage }`
				),
			} );
		},
		retry( ids: string[] ) {
			return apiFetch< RetryResult >( {
				path: path( '/console/outbox/retry' ),
				method: 'POST',
				data: { ids },
			} );
		},
		discard( ids: string[] ) {
			return apiFetch< { discarded: number; counts: OutboxCounts } >( {
				path: path( '/console/outbox/discard' ),
				method: 'POST',
				data: { ids },
			} );
		},
		health() {
			return apiFetch< RelayHealth >( {
				path: path( '/console/health' ),
			} );
		},
	};
}

export type ConsoleApi = ReturnType< typeof createApi >;
