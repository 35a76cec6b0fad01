/**
 * The block in the editor: settings in the sidebar, a static preview in the canvas (events only exist on the live
 * page). Written with createElement because WordPress 6.1 has no react-jsx-runtime script.
 */
import { InspectorControls, useBlockProps } from '@wordpress/block-editor';
import {
	FormTokenField,
	PanelBody,
	RangeControl,
	TextControl,
	ToggleControl,
} from '@wordpress/components';
import { createElement } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import {
	type LiveNotificationsAttributes,
	normalizeEventTypes,
} from './attributes.js';
import { MAX_ITEMS_LIMIT } from './client/config.js';
import { Preview } from './preview.js';

const SUGGESTED_EVENT_TYPES = [ 'post.published', 'comment.approved' ];

export interface EditProps {
	attributes: LiveNotificationsAttributes;
	setAttributes: ( next: Partial< LiveNotificationsAttributes > ) => void;
}

export function Edit( { attributes, setAttributes }: EditProps ) {
	const { heading, maxItems, eventTypes, showTime } = attributes;
	return createElement(
		'div',
		useBlockProps(),
		createElement(
			InspectorControls,
			null,
			createElement(
				PanelBody,
				{ title: __( 'Settings', 'wp-realtime' ) },
				createElement( TextControl, {
					label: __( 'Heading', 'wp-realtime' ),
					value: heading,
					onChange: ( value: string ) =>
						setAttributes( { heading: value } ),
				} ),
				createElement( RangeControl, {
					label: __( 'Number of notifications', 'wp-realtime' ),
					value: maxItems,
					min: 1,
					max: MAX_ITEMS_LIMIT,
					onChange: ( value?: number ) =>
						setAttributes( { maxItems: value ?? 5 } ),
				} ),
				createElement( FormTokenField, {
					label: __( 'Event types', 'wp-realtime' ),
					value: eventTypes,
					suggestions: SUGGESTED_EVENT_TYPES,
					onChange: (
						tokens: ReadonlyArray< string | { value: string } >
					) =>
						setAttributes( {
							eventTypes: normalizeEventTypes( tokens ),
						} ),
				} ),
				createElement(
					'p',
					{ className: 'components-base-control__help' },
					__(
						'Leave empty to show every event. End a type with * to match all types that start with it, e.g. post.*',
						'wp-realtime'
					)
				),
				createElement( ToggleControl, {
					label: __( 'Show time', 'wp-realtime' ),
					checked: showTime,
					onChange: ( value: boolean ) =>
						setAttributes( { showTime: value } ),
				} )
			)
		),
		createElement( Preview, { attributes } )
	);
}
