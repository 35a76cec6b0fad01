/**
 * The console is built exactly like the block (wp-scripts' setup with `.js` imports resolved to `.ts` sources).
 */
module.exports = require( '../block/webpack.config.cjs' );
