/**
 * The outbox: waiting, sent and dead events, a page at a time, with each row's last error, and Retry / Discard
 * for waiting and dead ones (the plugin checks capability and nonce on every action). Refreshed every few seconds,
 * so a delivery after a retry shows without reloading.
 */
import { Button, Notice } from '@wordpress/components';
import { createElement, useCallback, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import {
	errorMessage,
	type ConsoleApi,
	type OutboxItem,
	type OutboxPage,
	type OutboxStatus,
} from '../api.js';
import { usePolling } from '../polling.js';

const PER_PAGE = 20;
const REFRESH_MS = 5000;

function statusLabel(
	status: OutboxStatus,
	count: number | undefined
): string {
	const n = count ?? 0;
	if ( status === 'pending' ) {
		/* translators: %d: number of events. */
		return sprintf( __( 'Waiting (%d)', 'wp-realtime' ), n );
	}
	if ( status === 'sent' ) {
		/* translators: %d: number of events. */
		return sprintf( __( 'Sent (%d)', 'wp-realtime' ), n );
	}
	/* translators: %d: number of events. */
	return sprintf( __( 'Dead letters (%d)', 'wp-realtime' ), n );
}

export function OutboxPanel( {
	api,
	refreshKey,
}: {
	api: ConsoleApi;
	/** Changes when something was published, so the list reloads at once. */
	refreshKey: number;
} ) {
	const [ status, setStatus ] = useState< OutboxStatus >( 'pending' );
	const [ page, setPage ] = useState( 1 );
	const [ data, setData ] = useState< OutboxPage | null >( null );
	const [ notice, setNotice ] = useState< {
		kind: 'success' | 'error' | 'warning';
		message: string;
	} | null >( null );
	const [ busyId, setBusyId ] = useState< string | null >( null );

	const load = useCallback( async (): Promise< void > => {
		try {
			setData( await api.outbox( status, page, PER_PAGE ) );
		} catch ( error ) {
			setNotice( { kind: 'error', message: errorMessage( error ) } );
		}
	}, [ api, status, page ] );

	usePolling( load, REFRESH_MS, [ load, refreshKey ] );

	async function act( action: 'retry' | 'discard', item: OutboxItem ) {
		setBusyId( item.id );
		try {
			if ( action === 'retry' ) {
				const result = await api.retry( [ item.id ] );
				const now = result.statuses[ item.id ];
				setNotice(
					now === 'sent'
						? {
								kind: 'success',
								message: sprintf(
									/* translators: %s: event id. */
									__(
										'Event %s was delivered to the relay.',
										'wp-realtime'
									),
									item.id
								),
							}
						: {
								kind: 'warning',
								message: sprintf(
									/* translators: 1: event id, 2: why it is not delivered. */
									__(
										'Event %1$s is queued again but not delivered yet: %2$s',
										'wp-realtime'
									),
									item.id,
									result.error ??
										__(
											'another delivery is in progress',
											'wp-realtime'
										)
								),
							}
				);
			} else {
				const result = await api.discard( [ item.id ] );
				setNotice( {
					kind: 'success',
					message:
						result.discarded > 0
							? sprintf(
									/* translators: %s: event id. */
									__(
										'Event %s was discarded.',
										'wp-realtime'
									),
									item.id
								)
							: sprintf(
									/* translators: %s: event id. */
									__(
										'Event %s was no longer waiting or dead.',
										'wp-realtime'
									),
									item.id
								),
				} );
			}
		} catch ( error ) {
			setNotice( { kind: 'error', message: errorMessage( error ) } );
		} finally {
			setBusyId( null );
			await load();
		}
	}

	const statuses: OutboxStatus[] = [ 'pending', 'sent', 'dead' ];
	const items: OutboxItem[] = data?.status === status ? data.items : [];
	const canAct = status !== 'sent';

	return createElement(
		'section',
		{
			className: 'realtime-console__panel realtime-console__outbox',
			'aria-labelledby': 'realtime-console-outbox-title',
		},
		createElement(
			'h2',
			{ id: 'realtime-console-outbox-title' },
			__( 'Outbox', 'wp-realtime' )
		),
		createElement(
			'div',
			{
				className: 'realtime-console__row',
				role: 'group',
				'aria-label': __( 'Show events that are', 'wp-realtime' ),
			},
			statuses.map( ( s ) =>
				createElement(
					Button,
					{
						key: s,
						variant: s === status ? 'primary' : 'secondary',
						'aria-pressed': s === status,
						'data-outbox-status': s,
						onClick: () => {
							setStatus( s );
							setPage( 1 );
						},
					},
					statusLabel( s, data?.counts[ s ] )
				)
			),
			createElement(
				Button,
				{ variant: 'tertiary', onClick: () => void load() },
				__( 'Refresh', 'wp-realtime' )
			)
		),
		createElement(
			'div',
			{ role: 'status', className: 'realtime-console__outcome' },
			notice
				? createElement(
						Notice,
						{
							status: notice.kind,
							onRemove: () => setNotice( null ),
						},
						notice.message
					)
				: null
		),
		createElement(
			'table',
			{ className: 'widefat striped realtime-console__outbox-table' },
			createElement(
				'caption',
				{ className: 'screen-reader-text' },
				statusLabel( status, data?.counts[ status ] )
			),
			createElement(
				'thead',
				null,
				createElement(
					'tr',
					null,
					[
						__( 'Event', 'wp-realtime' ),
						__( 'Channel', 'wp-realtime' ),
						__( 'Created', 'wp-realtime' ),
						__( 'Attempts', 'wp-realtime' ),
						__( 'Last error', 'wp-realtime' ),
						__( 'Actions', 'wp-realtime' ),
					].map( ( heading ) =>
						createElement(
							'th',
							{ key: heading, scope: 'col' },
							heading
						)
					)
				)
			),
			createElement(
				'tbody',
				null,
				items.length === 0
					? createElement(
							'tr',
							null,
							createElement(
								'td',
								{ colSpan: 6 },
								__( 'No events here.', 'wp-realtime' )
							)
						)
					: items.map( ( item ) =>
							createElement(
								'tr',
								{ key: item.id, 'data-outbox-id': item.id },
								createElement(
									'td',
									null,
									createElement( 'code', null, item.type ),
									createElement( 'br' ),
									createElement( 'small', null, item.id )
								),
								createElement( 'td', null, item.channel ),
								createElement(
									'td',
									null,
									createElement(
										'time',
										{ dateTime: item.createdAt },
										new Date(
											item.createdAt
										).toLocaleString()
									)
								),
								createElement(
									'td',
									null,
									String( item.attempts )
								),
								createElement(
									'td',
									{
										className:
											'realtime-console__last-error',
									},
									item.lastError ?? '—'
								),
								createElement(
									'td',
									null,
									canAct
										? [
												createElement(
													Button,
													{
														key: 'retry',
														variant: 'secondary',
														isBusy:
															busyId === item.id,
														disabled:
															busyId !== null,
														onClick: () =>
															void act(
																'retry',
																item
															),
														'aria-label': sprintf(
															/* translators: %s: event id. */
															__(
																'Retry %s',
																'wp-realtime'
															),
															item.id
														),
													},
													__( 'Retry', 'wp-realtime' )
												),
												' ',
												createElement(
													Button,
													{
														key: 'discard',
														variant: 'tertiary',
														isDestructive: true,
														disabled:
															busyId !== null,
														onClick: () =>
															void act(
																'discard',
																item
															),
														'aria-label': sprintf(
															/* translators: %s: event id. */
															__(
																'Discard %s',
																'wp-realtime'
															),
															item.id
														),
													},
													__(
														'Discard',
														'wp-realtime'
													)
												),
											]
										: '—'
								)
							)
						)
			)
		),
		createElement(
			'nav',
			{
				className: 'realtime-console__row realtime-console__pages',
				'aria-label': __( 'Outbox pages', 'wp-realtime' ),
			},
			createElement(
				Button,
				{
					variant: 'secondary',
					disabled: page <= 1,
					onClick: () => setPage( page - 1 ),
				},
				__( 'Previous page', 'wp-realtime' )
			),
			createElement(
				'span',
				null,
				sprintf(
					/* translators: 1: page number, 2: number of pages. */
					__( 'Page %1$d of %2$d', 'wp-realtime' ),
					page,
					data?.totalPages ?? 1
				)
			),
			createElement(
				Button,
				{
					variant: 'secondary',
					disabled: page >= ( data?.totalPages ?? 1 ),
					onClick: () => setPage( page + 1 ),
				},
				__( 'Next page', 'wp-realtime' )
			)
		)
	);
}
