/**
 * The live stream: the relay's events on the channels the administrator picked (through a two-minute console token
 * minted by the plugin), filterable by channel and type, pausable. New events are announced politely to screen
 * readers by the list's live region.
 */
import { Button, SelectControl, TextControl } from '@wordpress/components';
import { useDispatch, useSelect } from '@wordpress/data';
import {
	createElement,
	useEffect,
	useMemo,
	useState,
} from '@wordpress/element';
import { __, _n, sprintf } from '@wordpress/i18n';
import { connectFeed } from '../../../block/src/client/connection.js';
import type { LiveEvent } from '../../../block/src/client/envelope.js';
import type { ConsoleApi } from '../api.js';
import { splitChannels } from '../config.js';
import {
	actions,
	seenChannels,
	visibleEvents,
	type ConsoleStore,
	type StreamState,
} from '../store.js';

interface StreamPanelProps {
	api: ConsoleApi;
	store: ConsoleStore;
}

function useStream( store: ConsoleStore ): StreamState {
	return useSelect(
		( select ) =>
			( select( store ) as { getState: () => StreamState } ).getState(),
		[ store ]
	);
}

function connectionLabel( state: StreamState[ 'connection' ] ): string {
	if ( state === 'live' ) {
		return __( 'Live', 'wp-realtime' );
	}
	return state === 'offline'
		? __( 'Offline: reconnecting…', 'wp-realtime' )
		: __( 'Connecting…', 'wp-realtime' );
}

function EventItem( { event }: { event: LiveEvent } ) {
	const time = new Date( event.time );
	return createElement(
		'li',
		{ className: 'realtime-console__event', 'data-event-id': event.id },
		createElement(
			'div',
			{ className: 'realtime-console__event-head' },
			createElement(
				'time',
				{ dateTime: event.time },
				Number.isNaN( time.getTime() )
					? event.time
					: time.toLocaleTimeString()
			),
			' ',
			createElement(
				'code',
				{ className: 'realtime-console__event-type' },
				event.type
			),
			' ',
			createElement(
				'span',
				{ className: 'realtime-console__event-channel' },
				event.channel
			),
			' ',
			createElement(
				'small',
				{ className: 'realtime-console__event-id' },
				event.id
			)
		),
		createElement(
			'pre',
			{ className: 'realtime-console__event-data' },
			JSON.stringify( event.data, null, 2 )
		)
	);
}

export function StreamPanel( { api, store }: StreamPanelProps ) {
	const state = useStream( store );
	const {
		receiveEvent,
		setConnection,
		setChannels,
		setPaused,
		setFilter,
		clearEvents,
	} = useDispatch( store ) as unknown as typeof actions;
	const [ channelText, setChannelText ] = useState(
		state.channels.join( ', ' )
	);
	const channelsKey = state.channels.join( ',' );

	useEffect( () => {
		const channels = channelsKey.split( ',' );
		setConnection( 'connecting' );
		const connection = connectFeed( {
			fetchToken: () => api.token( channels ),
			onEvent: receiveEvent,
			onState: setConnection,
		} );
		return () => connection.close();
		// The actions are stable; the connection changes only with the channels.
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [ api, channelsKey ] );

	const events = useMemo( () => visibleEvents( state ), [ state ] );
	const channelOptions = useMemo(
		() => [
			{ label: __( 'All channels', 'wp-realtime' ), value: '' },
			...seenChannels( state ).map( ( c ) => ( { label: c, value: c } ) ),
		],
		[ state ]
	);
	const typedChannels = splitChannels( channelText );

	return createElement(
		'section',
		{
			className: 'realtime-console__panel realtime-console__stream',
			'aria-labelledby': 'realtime-console-stream-title',
		},
		createElement(
			'h2',
			{ id: 'realtime-console-stream-title' },
			__( 'Live events', 'wp-realtime' )
		),
		createElement(
			'p',
			{
				className: 'realtime-console__connection',
				'data-connection': state.connection,
			},
			connectionLabel( state.connection )
		),
		createElement(
			'form',
			{
				className: 'realtime-console__row',
				onSubmit: ( e: Event ) => {
					e.preventDefault();
					if ( typedChannels.length > 0 ) {
						setChannels( typedChannels );
					}
				},
			},
			createElement( TextControl, {
				label: __( 'Channels to watch', 'wp-realtime' ),
				help: __(
					'Separated by commas. Private channels are read with a short-lived administrator token.',
					'wp-realtime'
				),
				value: channelText,
				onChange: setChannelText,
				__nextHasNoMarginBottom: true,
			} ),
			createElement(
				Button,
				{
					variant: 'secondary',
					type: 'submit',
					disabled:
						typedChannels.length === 0 ||
						typedChannels.join( ',' ) === channelsKey,
				},
				__( 'Watch', 'wp-realtime' )
			)
		),
		createElement(
			'div',
			{ className: 'realtime-console__row' },
			createElement( SelectControl, {
				label: __( 'Filter by channel', 'wp-realtime' ),
				value: state.filterChannel,
				options: channelOptions,
				onChange: ( value: string ) =>
					setFilter( value, state.filterType ),
				__nextHasNoMarginBottom: true,
			} ),
			createElement( TextControl, {
				label: __( 'Filter by type', 'wp-realtime' ),
				help: __(
					'A type or its beginning, e.g. post.',
					'wp-realtime'
				),
				value: state.filterType,
				onChange: ( value: string ) =>
					setFilter( state.filterChannel, value ),
				__nextHasNoMarginBottom: true,
			} ),
			createElement(
				Button,
				{
					variant: 'primary',
					'aria-pressed': state.paused,
					onClick: () => setPaused( ! state.paused ),
				},
				state.paused
					? __( 'Resume', 'wp-realtime' )
					: __( 'Pause', 'wp-realtime' )
			),
			createElement(
				Button,
				{ variant: 'tertiary', onClick: clearEvents },
				__( 'Clear', 'wp-realtime' )
			)
		),
		state.paused
			? createElement(
					'p',
					{ className: 'realtime-console__held', role: 'status' },
					sprintf(
						/* translators: %d: number of events held while paused. */
						_n(
							'Paused: %d new event is held until you resume.',
							'Paused: %d new events are held until you resume.',
							state.held.length,
							'wp-realtime'
						),
						state.held.length
					)
				)
			: null,
		createElement(
			'ol',
			{
				className: 'realtime-console__events',
				'aria-live': 'polite',
				'aria-relevant': 'additions',
				'aria-label': __( 'Events, newest first', 'wp-realtime' ),
			},
			events.map( ( event: LiveEvent ) =>
				createElement( EventItem, { key: event.id, event } )
			)
		),
		events.length === 0
			? createElement(
					'p',
					{ className: 'realtime-console__empty' },
					__( 'No events yet.', 'wp-realtime' )
				)
			: null
	);
}
