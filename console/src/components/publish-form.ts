/**
 * The publish form: channel, type and JSON data, checked here first (event-form.ts), then sent to the plugin's
 * `POST /events`, where the validator and the publish policy decide and the outbox delivers. The outcome is
 * announced in a status region.
 */
import {
	Button,
	Notice,
	TextareaControl,
	TextControl,
} from '@wordpress/components';
import { createElement, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { errorMessage, type ConsoleApi } from '../api.js';
import { validateEventForm, type EventFormInput } from '../event-form.js';
import { formErrorMessages } from '../messages.js';

type Outcome = { kind: 'success' | 'error'; message: string } | null;

export function PublishForm( {
	api,
	onPublished,
}: {
	api: ConsoleApi;
	onPublished: () => void;
} ) {
	const [ input, setInput ] = useState< EventFormInput >( {
		channel: 'public',
		type: '',
		data: '{\n  "title": ""\n}',
	} );
	const [ errors, setErrors ] = useState<
		ReturnType< typeof formErrorMessages >
	>( {} );
	const [ outcome, setOutcome ] = useState< Outcome >( null );
	const [ busy, setBusy ] = useState( false );
	const update = ( field: keyof EventFormInput ) => ( value: string ) =>
		setInput( { ...input, [ field ]: value } );

	async function submit( e: Event ) {
		e.preventDefault();
		const checked = validateEventForm( input );
		if ( ! checked.ok ) {
			setErrors( formErrorMessages( checked.errors ) );
			setOutcome( {
				kind: 'error',
				message: __( 'Fix the fields marked below.', 'wp-realtime' ),
			} );
			return;
		}
		setErrors( {} );
		setBusy( true );
		try {
			const answer = await api.publish( checked.event );
			setOutcome( {
				kind: 'success',
				message: sprintf(
					/* translators: %s: event id. */
					__( 'Queued in the outbox as %s.', 'wp-realtime' ),
					answer.id
				),
			} );
			onPublished();
		} catch ( error ) {
			setOutcome( {
				kind: 'error',
				message: sprintf(
					/* translators: %s: why WordPress refused the event. */
					__( 'Not published: %s', 'wp-realtime' ),
					errorMessage( error )
				),
			} );
		} finally {
			setBusy( false );
		}
	}

	const field = ( name: 'channel' | 'type', label: string, help: string ) =>
		createElement( TextControl, {
			label,
			help: errors[ name ] ?? help,
			value: input[ name ],
			onChange: update( name ),
			'aria-invalid': errors[ name ] !== undefined,
			className: errors[ name ] ? 'has-error' : undefined,
			__nextHasNoMarginBottom: true,
		} );

	return createElement(
		'section',
		{
			className: 'realtime-console__panel realtime-console__publish',
			'aria-labelledby': 'realtime-console-publish-title',
		},
		createElement(
			'h2',
			{ id: 'realtime-console-publish-title' },
			__( 'Publish an event', 'wp-realtime' )
		),
		createElement(
			'form',
			{ onSubmit: submit, noValidate: true },
			field(
				'channel',
				__( 'Channel', 'wp-realtime' ),
				__(
					'Logged-in users may publish to public channels (public, public-*) unless the site allows more.',
					'wp-realtime'
				)
			),
			field(
				'type',
				__( 'Type', 'wp-realtime' ),
				__( 'e.g. order.shipped', 'wp-realtime' )
			),
			createElement( TextareaControl, {
				label: __( 'Data (JSON object)', 'wp-realtime' ),
				help:
					errors.data ??
					__(
						'The Live Notifications block shows "title" (or the type) and links "url".',
						'wp-realtime'
					),
				value: input.data,
				rows: 5,
				onChange: update( 'data' ),
				'aria-invalid': errors.data !== undefined,
				className: errors.data ? 'has-error' : undefined,
				__nextHasNoMarginBottom: true,
			} ),
			createElement(
				Button,
				{
					variant: 'primary',
					type: 'submit',
					isBusy: busy,
					disabled: busy,
				},
				__( 'Publish', 'wp-realtime' )
			)
		),
		createElement(
			'div',
			{ role: 'status', className: 'realtime-console__outcome' },
			outcome
				? createElement(
						Notice,
						{ status: outcome.kind, isDismissible: false },
						outcome.message
					)
				: null
		)
	);
}
