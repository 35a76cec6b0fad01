/**
 * The words for the pure modules' problem codes, translated with the plugin's text domain (the placeholder
 * `wp-realtime` is renamed by the scaffolder).
 */
import { __, sprintf } from '@wordpress/i18n';
import type { DataProblem, EventFormErrors } from './event-form.js';
import type { TokenProblem } from './token-claims.js';

export function tokenProblemMessage( problem: TokenProblem ): string {
	switch ( problem ) {
		case 'empty':
			return __( 'Paste a token to inspect it.', 'wp-realtime' );
		case 'not_a_token':
			return __(
				'This is not a relay token: expected wprt1.<claims>.<signature>.',
				'wp-realtime'
			);
		case 'bad_signature_encoding':
			return __( 'The signature part is not base64url.', 'wp-realtime' );
		case 'bad_claims_encoding':
			return __(
				'The claims part is not base64url-encoded UTF-8.',
				'wp-realtime'
			);
		case 'claims_not_json':
			return __( 'The claims are not a JSON object.', 'wp-realtime' );
		case 'bad_sub':
			return __( 'The claim "sub" (user) is missing.', 'wp-realtime' );
		case 'bad_channels':
			return __(
				'The claim "ch" is not a list of channel names.',
				'wp-realtime'
			);
		case 'bad_times':
			return __(
				'The claims "iat" and "exp" must be Unix seconds, "exp" not before "iat".',
				'wp-realtime'
			);
	}
	return problem;
}

function dataProblemMessage( problem: DataProblem ): string {
	switch ( problem.code ) {
		case 'invalid_json':
			return sprintf(
				/* translators: %s: the JSON parser's message. */
				__( 'Not valid JSON: %s', 'wp-realtime' ),
				problem.detail
			);
		case 'not_an_object':
			return __(
				'Data must be a JSON object, e.g. {"title": "Hello"}.',
				'wp-realtime'
			);
		case 'data_too_deep':
			return sprintf(
				/* translators: %s: where in the data. */
				__( '%s: nested deeper than 32 levels.', 'wp-realtime' ),
				problem.detail
			);
		case 'data_too_many_keys':
			return sprintf(
				/* translators: %s: where in the data. */
				__( '%s: more than 10,000 keys and items.', 'wp-realtime' ),
				problem.detail
			);
		case 'forbidden_key':
			return sprintf(
				/* translators: %s: where in the data. */
				__( '%s: the key __proto__ is not allowed.', 'wp-realtime' ),
				problem.detail
			);
		case 'invalid_unicode':
			return sprintf(
				/* translators: %s: where in the data. */
				__( '%s: a string is not well-formed Unicode.', 'wp-realtime' ),
				problem.detail
			);
	}
	return problem.code;
}

export function formErrorMessages(
	errors: EventFormErrors
): Partial< Record< 'channel' | 'type' | 'data', string > > {
	return {
		channel: errors.channel
			? __(
					'A channel is 1 to 128 letters, digits or _ . : - (e.g. public).',
					'wp-realtime'
				)
			: undefined,
		type: errors.type
			? __(
					'A type starts with a lowercase letter or digit, followed by up to 63 of a–z 0–9 _ . : - (e.g. order.shipped).',
					'wp-realtime'
				)
			: undefined,
		data: errors.data ? dataProblemMessage( errors.data ) : undefined,
	};
}
