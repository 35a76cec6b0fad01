/**
 * The block in the editor: the heading setting and a placeholder (who is here only exists on the live page).
 * Written with createElement because WordPress 6.1 has no react-jsx-runtime script.
 */
import { InspectorControls, useBlockProps } from '@wordpress/block-editor';
import { PanelBody, TextControl } from '@wordpress/components';
import { createElement } from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { WHOS_HERE_CLASS } from './render.js';

// A type alias, not an interface: registerBlockType wants a Record< string, unknown >.
export type WhosHereAttributes = {
	heading: string;
};

export interface EditProps {
	attributes: WhosHereAttributes;
	setAttributes: ( next: Partial< WhosHereAttributes > ) => void;
}

export function Edit( { attributes, setAttributes }: EditProps ) {
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
					value: attributes.heading,
					onChange: ( value: string ) =>
						setAttributes( { heading: value } ),
				} )
			)
		),
		attributes.heading === ''
			? null
			: createElement(
					'h2',
					{ className: `${ WHOS_HERE_CLASS }__heading` },
					attributes.heading
				),
		createElement(
			'p',
			{ className: `${ WHOS_HERE_CLASS }__placeholder` },
			__(
				'The avatars and names of the logged-in people reading this post appear here, live, on the published page.',
				'wp-realtime'
			)
		)
	);
}
