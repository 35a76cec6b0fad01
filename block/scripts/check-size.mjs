#!/usr/bin/env node
// The front-end scripts load on every page that shows a block: keep each small. Fails above the budget.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const BUDGET_BYTES = 30 * 1024;
// Live Notifications, and Who's Here (its own folder: wp-scripts builds every block.json under block/src).
const VIEW_SCRIPTS = [ 'view.js', 'whos-here/view.js' ];

let over = false;
for ( const name of VIEW_SCRIPTS ) {
	const viewScript = fileURLToPath( new URL( `../build/${ name }`, import.meta.url ) );
	let source;
	try {
		source = readFileSync( viewScript );
	} catch {
		console.error( `size:block: ${ viewScript } is missing; run \`npm run build:block\` first` );
		process.exit( 2 );
	}
	const gzipped = gzipSync( source, { level: 9 } ).length;
	const figure = `${ ( gzipped / 1024 ).toFixed( 1 ) } KB gzipped (budget ${ BUDGET_BYTES / 1024 } KB)`;
	if ( gzipped > BUDGET_BYTES ) {
		console.error( `size:block: block/build/${ name } is ${ figure }: over budget` );
		over = true;
	} else {
		console.log( `size:block: block/build/${ name } is ${ figure }` );
	}
}
process.exit( over ? 1 : 0 );
