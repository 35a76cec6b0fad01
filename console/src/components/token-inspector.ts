/**
 * The token inspector: paste a relay token, see its claims, expiry and channels. Decoded in the browser; whether
 * the signature is right only the relay (which holds the secret) can tell, and the panel says so.
 */
import { Notice, TextareaControl } from '@wordpress/components';
import { createElement, useEffect, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { tokenProblemMessage } from '../messages.js';
import { inspectToken, type ChannelKind } from '../token-claims.js';

function kindLabel( kind: ChannelKind ): string {
	switch ( kind ) {
		case 'public':
			return __( 'public: anyone may read it', 'wp-realtime' );
		case 'user':
			return __( "one user's private channel", 'wp-realtime' );
		case 'role':
			return __( 'everyone with this role', 'wp-realtime' );
	}
	return __( 'private: only tokens listing it', 'wp-realtime' );
}

function expiryText( seconds: number, expired: boolean ): string {
	if ( expired ) {
		return sprintf(
			/* translators: %d: seconds. */
			__( 'Expired %d s ago: the relay refuses it.', 'wp-realtime' ),
			-seconds
		);
	}
	return sprintf(
		/* translators: %d: seconds. */
		__( 'Valid for %d s more.', 'wp-realtime' ),
		Math.max( 0, seconds )
	);
}

export function TokenInspector() {
	const [ text, setText ] = useState( '' );
	const [ now, setNow ] = useState( Date.now() );
	useEffect( () => {
		const timer = setInterval( () => setNow( Date.now() ), 1000 );
		return () => clearInterval( timer );
	}, [] );
	const result = inspectToken( text, now );
	const date = ( seconds: number ) =>
		new Date( seconds * 1000 ).toLocaleString();

	return createElement(
		'section',
		{
			className: 'realtime-console__panel realtime-console__token',
			'aria-labelledby': 'realtime-console-token-title',
		},
		createElement(
			'h2',
			{ id: 'realtime-console-token-title' },
			__( 'Token inspector', 'wp-realtime' )
		),
		createElement( TextareaControl, {
			label: __( 'Token', 'wp-realtime' ),
			help: __(
				'Decoded in your browser only. The signature is not checked here: only the relay holds the secret.',
				'wp-realtime'
			),
			value: text,
			rows: 3,
			onChange: setText,
			__nextHasNoMarginBottom: true,
		} ),
		text.trim() === ''
			? null
			: createElement(
					'div',
					{ className: 'realtime-console__token-result' },
					! result.ok
						? createElement(
								Notice,
								{ status: 'error', isDismissible: false },
								tokenProblemMessage( result.problem )
							)
						: createElement(
								'dl',
								null,
								createElement(
									'dt',
									null,
									__( 'User (sub)', 'wp-realtime' )
								),
								createElement(
									'dd',
									{ 'data-claim': 'sub' },
									result.claims.sub
								),
								createElement(
									'dt',
									null,
									__( 'Issued (iat)', 'wp-realtime' )
								),
								createElement(
									'dd',
									{ 'data-claim': 'iat' },
									date( result.claims.iat )
								),
								createElement(
									'dt',
									null,
									__( 'Expires (exp)', 'wp-realtime' )
								),
								createElement(
									'dd',
									{ 'data-claim': 'exp' },
									date( result.claims.exp ),
									' — ',
									createElement(
										'strong',
										{
											'data-token-expired': String(
												result.expired
											),
										},
										expiryText(
											result.expiresInSeconds,
											result.expired
										)
									)
								),
								createElement(
									'dt',
									null,
									__( 'Channels (ch)', 'wp-realtime' )
								),
								createElement(
									'dd',
									null,
									createElement(
										'ul',
										{ 'data-claim': 'ch' },
										result.channels.map( ( c ) =>
											createElement(
												'li',
												{ key: c.name },
												createElement(
													'code',
													null,
													c.name
												),
												' — ',
												kindLabel( c.kind )
											)
										)
									)
								)
							)
				)
	);
}
