/**
 * The block follows the WordPress coding standards: wp-scripts' default lint setup. It is named explicitly
 * because the repository's root eslint.config.js (for the Node code) would otherwise win and skip block/.
 */
module.exports = require( '@wordpress/scripts/config/eslint.config.cjs' );
