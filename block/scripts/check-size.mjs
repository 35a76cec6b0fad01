#!/usr/bin/env node
// The front-end script loads on every page that shows the block: keep it small. Fails above the budget.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const BUDGET_BYTES = 30 * 1024;
const viewScript = fileURLToPath( new URL( '../build/view.js', import.meta.url ) );

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
	console.error( `size:block: block/build/view.js is ${ figure }: over budget` );
	process.exit( 1 );
}
console.log( `size:block: block/build/view.js is ${ figure }` );
