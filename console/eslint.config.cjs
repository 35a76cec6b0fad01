/**
 * The console follows the WordPress coding standards, like the block (see block/eslint.config.cjs).
 */
module.exports = require( '../block/eslint.config.cjs' );
