/**
 * The editor's static preview: sample events shown the way the front end shows them, filtered and capped by the
 * block's current settings so the author sees what they chose.
 */
import { createElement } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import type { LiveNotificationsAttributes } from './attributes.js';
import { matchesEventTypes } from './client/feed.js';
import { BLOCK_CLASS } from './client/render.js';

interface SampleEvent {
	type: string;
	title: string;
	minutesAgo: number;
}

function sampleEvents(): SampleEvent[] {
	return [
		{
			type: 'post.published',
			title: __( 'A new post was published', 'wp-realtime' ),
			minutesAgo: 0,
		},
		{
			type: 'comment.approved',
			title: __( 'A comment was approved', 'wp-realtime' ),
			minutesAgo: 2,
		},
		{
			type: 'order.created',
			title: __( 'Someone placed an order', 'wp-realtime' ),
			minutesAgo: 5,
		},
	];
}

export function Preview( {
	attributes,
}: {
	attributes: LiveNotificationsAttributes;
} ) {
	const { heading, maxItems, eventTypes, showTime } = attributes;
	const items = sampleEvents()
		.filter( ( event ) => matchesEventTypes( event.type, eventTypes ) )
		.slice( 0, maxItems );
	const now = Date.now();
	return createElement(
		'div',
		null,
		heading
			? createElement(
					'h2',
					{ className: `${ BLOCK_CLASS }__heading` },
					heading
				)
			: null,
		createElement(
			'p',
			{ className: `${ BLOCK_CLASS }__status` },
			__( 'Preview: events appear here as they happen.', 'wp-realtime' )
		),
		createElement(
			'ul',
			{ className: `${ BLOCK_CLASS }__list` },
			items.map( ( event ) =>
				createElement(
					'li',
					{ key: event.type, className: `${ BLOCK_CLASS }__item` },
					createElement(
						'span',
						{ className: `${ BLOCK_CLASS }__title` },
						event.title
					),
					showTime
						? createElement(
								'time',
								{ className: `${ BLOCK_CLASS }__time` },
								' ',
								new Date(
									now - event.minutesAgo * 60_000
								).toLocaleTimeString( undefined, {
									hour: '2-digit',
									minute: '2-digit',
								} )
							)
						: null
				)
			)
		),
		items.length === 0
			? createElement(
					'p',
					{ className: `${ BLOCK_CLASS }__empty` },
					sprintf(
						/* translators: %s: comma-separated event types. */
						__(
							'Only these event types will be shown: %s',
							'wp-realtime'
						),
						eventTypes.join( ', ' )
					)
				)
			: null
	);
}
