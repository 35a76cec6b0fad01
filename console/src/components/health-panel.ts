/**
 * The relay's health, asked of the plugin's `GET /console/health` every few seconds: reachable or not, its clock
 * against WordPress's, and connections and deliveries from its /metrics, with a chart of the last minutes kept in
 * the page (in the console store).
 */
import { useDispatch, useSelect } from '@wordpress/data';
import { createElement, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { errorMessage, type ConsoleApi, type RelayHealth } from '../api.js';
import {
	CHART_WINDOW_MS,
	deliveryRates,
	polylinePoints,
	relayFigures,
	type RelayFigures,
} from '../metrics.js';
import { usePolling } from '../polling.js';
import { actions, type ConsoleStore, type StreamState } from '../store.js';

// Each poll costs WordPress two requests to the relay; ten seconds keeps that light and the chart fine enough.
const POLL_MS = 10_000;
const CHART_WIDTH = 300;
const CHART_HEIGHT = 60;

function Chart( {
	label,
	points,
	startMs,
	nowMs,
}: {
	label: string;
	points: Array< { atMs: number; value: number } >;
	/** The left edge: the oldest sample, at most CHART_WINDOW_MS back. */
	startMs: number;
	nowMs: number;
} ) {
	const last = points[ points.length - 1 ];
	const summary = sprintf(
		/* translators: 1: what is charted, 2: latest value. */
		__(
			'%1$s since this page opened (at most the last 10 minutes); now %2$s.',
			'wp-realtime'
		),
		label,
		last === undefined
			? '—'
			: String( Math.round( last.value * 100 ) / 100 )
	);
	const drawn = polylinePoints(
		points,
		CHART_WIDTH,
		CHART_HEIGHT,
		startMs,
		nowMs
	);
	const lastPoint =
		drawn === ''
			? null
			: drawn.split( ' ' ).pop()!.split( ',' ).map( Number );
	return createElement(
		'figure',
		{ className: 'realtime-console__chart' },
		createElement(
			'svg',
			{
				role: 'img',
				'aria-label': summary,
				viewBox: `0 0 ${ CHART_WIDTH } ${ CHART_HEIGHT }`,
				width: CHART_WIDTH,
				height: CHART_HEIGHT,
			},
			createElement( 'rect', {
				x: 0,
				y: 0,
				width: CHART_WIDTH,
				height: CHART_HEIGHT,
				fill: 'none',
				stroke: '#dcdcde',
			} ),
			// One sample is no line yet: the latest value is also drawn as a dot.
			lastPoint === null
				? null
				: createElement( 'circle', {
						cx: lastPoint[ 0 ],
						cy: lastPoint[ 1 ],
						r: 3,
						fill: 'currentColor',
					} ),
			createElement( 'polyline', {
				fill: 'none',
				stroke: 'currentColor',
				strokeWidth: 2,
				points: drawn,
			} )
		),
		createElement( 'figcaption', null, summary )
	);
}

function relayText( health: RelayHealth | null ): string {
	if ( health === null ) {
		return '…';
	}
	if ( health.relay.reachable ) {
		return sprintf(
			/* translators: %s: relay URL. */
			__( 'reachable at %s', 'wp-realtime' ),
			health.relay.url
		);
	}
	return sprintf(
		/* translators: 1: relay URL, 2: error. */
		__( 'not reachable at %1$s (%2$s)', 'wp-realtime' ),
		health.relay.url || '—',
		health.relay.error ?? String( health.relay.status )
	);
}

export function HealthPanel( {
	api,
	store,
}: {
	api: ConsoleApi;
	store: ConsoleStore;
} ) {
	const samples = useSelect(
		( select ) =>
			( select( store ) as { getState: () => StreamState } ).getState()
				.samples,
		[ store ]
	);
	const { addSample } = useDispatch( store ) as unknown as typeof actions;
	const [ health, setHealth ] = useState< RelayHealth | null >( null );
	const [ figures, setFigures ] = useState< RelayFigures | null >( null );
	const [ failure, setFailure ] = useState< string | null >( null );

	usePolling(
		async () => {
			try {
				const answer = await api.health();
				setHealth( answer );
				setFailure( null );
				const read =
					answer.metrics === null
						? null
						: relayFigures( answer.metrics );
				setFigures( read );
				if (
					read !== null &&
					read.connections !== null &&
					read.deliveries !== null
				) {
					addSample( {
						atMs: Date.now(),
						connections: read.connections,
						deliveries: read.deliveries,
					} );
				}
			} catch ( error ) {
				setFailure( errorMessage( error ) );
			}
		},
		POLL_MS,
		[ api ]
	);

	const nowMs = samples[ samples.length - 1 ]?.atMs ?? Date.now();
	const startMs = Math.max(
		nowMs - CHART_WINDOW_MS,
		samples[ 0 ]?.atMs ?? nowMs
	);
	const figure = ( value: number | null | undefined ) =>
		value === null || value === undefined ? '—' : String( value );
	const reachable = health?.relay.reachable === true;
	const skew = health?.clockSkewSeconds;

	const rows: Array< [ string, string, string ] > = [
		[ 'reachable', __( 'Relay', 'wp-realtime' ), relayText( health ) ],
		[
			'skew',
			__( 'Clock skew', 'wp-realtime' ),
			skew === null || skew === undefined
				? '—'
				: sprintf(
						/* translators: %d: seconds the relay's clock is ahead of WordPress's (negative: behind). */
						__(
							'%d s (relay minus WordPress, to about 1 s; tokens allow 2 s, signatures 300 s)',
							'wp-realtime'
						),
						skew
					),
		],
		[
			'connections',
			__( 'Connections', 'wp-realtime' ),
			figure( figures?.connections ),
		],
		[
			'events-in',
			__( 'Events received', 'wp-realtime' ),
			figure( figures?.eventsIn ),
		],
		[
			'deliveries',
			__( 'Deliveries', 'wp-realtime' ),
			figure( figures?.deliveries ),
		],
		[
			'rejections',
			__( 'Rejections', 'wp-realtime' ),
			figure( figures?.rejections ),
		],
	];

	return createElement(
		'section',
		{
			className: 'realtime-console__panel realtime-console__health',
			'aria-labelledby': 'realtime-console-health-title',
		},
		createElement(
			'h2',
			{ id: 'realtime-console-health-title' },
			__( 'Relay health', 'wp-realtime' )
		),
		failure ? createElement( 'p', { role: 'alert' }, failure ) : null,
		health?.metricsError
			? createElement(
					'p',
					null,
					sprintf(
						/* translators: %s: why /metrics could not be read. */
						__( 'Metrics unavailable: %s', 'wp-realtime' ),
						health.metricsError
					)
				)
			: null,
		createElement(
			'dl',
			{
				className: 'realtime-console__figures',
				'data-relay-reachable': String( reachable ),
			},
			rows.map( ( [ key, label, value ] ) => [
				createElement( 'dt', { key: `${ key }-label` }, label ),
				createElement( 'dd', { key, 'data-health': key }, value ),
			] )
		),
		createElement( Chart, {
			label: __( 'Connections', 'wp-realtime' ),
			startMs,
			points: samples.map( ( s ) => ( {
				atMs: s.atMs,
				value: s.connections,
			} ) ),
			nowMs,
		} ),
		createElement( Chart, {
			label: __( 'Deliveries per second', 'wp-realtime' ),
			startMs,
			points: deliveryRates( samples ).map( ( r ) => ( {
				atMs: r.atMs,
				value: r.perSecond,
			} ) ),
			nowMs,
		} )
	);
}
