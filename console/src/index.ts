/**
 * Entry of the live console (Tools → <Name> console). Written with createElement because WordPress 6.1 has no
 * react-jsx-runtime script; mounted with createRoot where WordPress has it (6.2+), else with render.
 */
import {
	createElement,
	createRoot,
	render,
	useState,
} from '@wordpress/element';
import { __ } from '@wordpress/i18n';
import { createApi, type ConsoleApi } from './api.js';
import { HealthPanel } from './components/health-panel.js';
import { OutboxPanel } from './components/outbox-panel.js';
import { PublishForm } from './components/publish-form.js';
import { StreamPanel } from './components/stream-panel.js';
import { TokenInspector } from './components/token-inspector.js';
import {
	CONFIG_ATTRIBUTE,
	parseConsoleConfig,
	type ConsoleConfig,
} from './config.js';
import { createConsoleStore, type ConsoleStore } from './store.js';
import './console.scss';

function Console( {
	config,
	api,
	store,
}: {
	config: ConsoleConfig;
	api: ConsoleApi;
	store: ConsoleStore;
} ) {
	const [ published, setPublished ] = useState( 0 );
	return createElement(
		'div',
		{ className: 'realtime-console__layout' },
		config.configured
			? null
			: createElement(
					'p',
					{ className: 'notice notice-warning inline' },
					__(
						'The relay is not configured yet: set its URL and secret on the settings page.',
						'wp-realtime'
					),
					' ',
					createElement(
						'a',
						{ href: config.settingsUrl },
						__( 'Settings', 'wp-realtime' )
					)
				),
		createElement( StreamPanel, { api, store } ),
		createElement(
			'div',
			{ className: 'realtime-console__side' },
			createElement( PublishForm, {
				api,
				onPublished: () => setPublished( ( n: number ) => n + 1 ),
			} ),
			createElement( HealthPanel, { api, store } ),
			createElement( TokenInspector )
		),
		createElement( OutboxPanel, { api, refreshKey: published } )
	);
}

function mount(): void {
	const root = document.querySelector< HTMLElement >(
		`[${ CONFIG_ATTRIBUTE }]`
	);
	if ( root === null ) {
		return;
	}
	const config = parseConsoleConfig( root.getAttribute( CONFIG_ATTRIBUTE ) );
	if ( config === null ) {
		root.textContent = __(
			'The console could not read its configuration.',
			'wp-realtime'
		);
		return;
	}
	const store = createConsoleStore(
		`${ config.slug }/console`,
		config.defaultChannels
	);
	const app = createElement( Console, {
		config,
		api: createApi( config.restNamespace ),
		store,
	} );
	// WordPress 6.1's wp.element has no createRoot; the bundle reads it from there at run time.
	if ( typeof createRoot === 'function' ) {
		createRoot( root ).render( app );
	} else {
		render( app, root );
	}
}

if ( document.readyState === 'loading' ) {
	document.addEventListener( 'DOMContentLoaded', mount );
} else {
	mount();
}
