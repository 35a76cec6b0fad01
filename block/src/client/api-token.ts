/**
 * Fetches a relay token from the plugin's REST route. WordPress's own inline setup of wp-api-fetch adds the site's
 * REST root and, for logged-in visitors, the nonce, so the token carries their private channels.
 */
import apiFetch from '@wordpress/api-fetch';
import { parseTokenResponse, type TokenResponse } from './token-response.js';

export async function fetchToken( path: string ): Promise< TokenResponse > {
	return parseTokenResponse( await apiFetch( { path } ) );
}
