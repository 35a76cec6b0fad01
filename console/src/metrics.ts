/**
 * The relay's `/metrics` (Prometheus text format, fetched by the plugin's health route) read into the figures the
 * console shows, and the samples of the last minutes behind its chart. Pure: vitest runs it on a real relay's
 * output.
 */
export const METRIC_NAMES = {
	connections: 'wp_realtime_connections',
	eventsIn: 'wp_realtime_events_in_total',
	deliveries: 'wp_realtime_deliveries_total',
	rejections: 'wp_realtime_rejections_total',
} as const;

export type RelayFigures = Record< keyof typeof METRIC_NAMES, number | null >;

/** How far back the chart looks. */
export const CHART_WINDOW_MS = 10 * 60 * 1000;

export interface HealthSample {
	atMs: number;
	connections: number;
	/** The deliveries counter as read; rates are computed between samples. */
	deliveries: number;
}

/** One sample line: name, optional {labels}, value, optional timestamp. Label values may hold spaces and braces. */
const SAMPLE_LINE =
	/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})?\s+(\S+)(?:\s+-?\d+)?$/;

function parseValue( text: string ): number | null {
	if ( text === '+Inf' ) {
		return Infinity;
	}
	if ( text === '-Inf' ) {
		return -Infinity;
	}
	const value = Number( text );
	return Number.isNaN( value ) ? null : value;
}

/**
 * Sums every sample of each metric over its labels (e.g. rejections of every reason). Comments, blank lines, NaN and
 * lines that are not samples are skipped.
 *
 * @param text Prometheus exposition text.
 */
export function sumByMetric( text: string ): Map< string, number > {
	const sums = new Map< string, number >();
	for ( const raw of text.split( '\n' ) ) {
		const line = raw.trim();
		// A declared metric without samples yet (a labelled counter nothing has counted) reads as 0, not unknown.
		const declared = /^#\s*TYPE\s+([a-zA-Z_:][a-zA-Z0-9_:]*)\s/.exec(
			line
		);
		if ( declared !== null && ! sums.has( declared[ 1 ]! ) ) {
			sums.set( declared[ 1 ]!, 0 );
		}
		if ( line === '' || line.startsWith( '#' ) ) {
			continue;
		}
		const match = SAMPLE_LINE.exec( line );
		if ( match === null ) {
			continue;
		}
		const [ , name = '', , valueText = '' ] = match;
		const value = parseValue( valueText );
		if ( value !== null ) {
			sums.set( name, ( sums.get( name ) ?? 0 ) + value );
		}
	}
	return sums;
}

export function relayFigures( text: string ): RelayFigures {
	const sums = sumByMetric( text );
	const figure = ( name: string ): number | null => sums.get( name ) ?? null;
	return {
		connections: figure( METRIC_NAMES.connections ),
		eventsIn: figure( METRIC_NAMES.eventsIn ),
		deliveries: figure( METRIC_NAMES.deliveries ),
		rejections: figure( METRIC_NAMES.rejections ),
	};
}

/**
 * The samples with a new one added, those older than the window dropped.
 *
 * @param samples  Earlier samples, oldest first.
 * @param sample   The new one.
 * @param windowMs How far back to keep.
 */
export function addSample(
	samples: readonly HealthSample[],
	sample: HealthSample,
	windowMs = CHART_WINDOW_MS
): HealthSample[] {
	return [ ...samples, sample ].filter(
		( s ) => s.atMs > sample.atMs - windowMs
	);
}

export interface RatePoint {
	atMs: number;
	perSecond: number;
}

/**
 * Deliveries per second between consecutive samples. A counter that went down means the relay restarted: its count
 * since the restart is all that happened in that interval.
 *
 * @param samples Samples, oldest first.
 */
export function deliveryRates( samples: readonly HealthSample[] ): RatePoint[] {
	const rates: RatePoint[] = [];
	for ( let i = 1; i < samples.length; i++ ) {
		const before = samples[ i - 1 ]!;
		const after = samples[ i ]!;
		const seconds = ( after.atMs - before.atMs ) / 1000;
		if ( seconds <= 0 ) {
			continue;
		}
		const delta =
			after.deliveries >= before.deliveries
				? after.deliveries - before.deliveries
				: after.deliveries;
		rates.push( { atMs: after.atMs, perSecond: delta / seconds } );
	}
	return rates;
}

/**
 * SVG polyline points for values over time, scaled into a box (y grows downwards; the top is the largest value,
 * at least 1 so a flat zero line sits at the bottom).
 *
 * @param points  Time and value, oldest first.
 * @param width   Box width.
 * @param height  Box height.
 * @param startMs Time at the left edge.
 * @param endMs   Time at the right edge.
 */
export function polylinePoints(
	points: ReadonlyArray< { atMs: number; value: number } >,
	width: number,
	height: number,
	startMs: number,
	endMs: number
): string {
	const top = Math.max( 1, ...points.map( ( p ) => p.value ) );
	const span = Math.max( 1, endMs - startMs );
	return points
		.map( ( p ) => {
			const x = ( ( p.atMs - startMs ) / span ) * width;
			const y = height - ( p.value / top ) * height;
			return `${ x.toFixed( 1 ) },${ y.toFixed( 1 ) }`;
		} )
		.join( ' ' );
}
