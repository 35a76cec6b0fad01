/**
 * wp-scripts' own webpack setup, plus one thing it lacks: the block's TypeScript imports siblings with `.js`
 * suffixes (as the rest of the repo does under NodeNext), which must resolve to the `.ts` sources.
 */
const defaultConfig = require( '@wordpress/scripts/config/webpack.config' );

module.exports = {
	...defaultConfig,
	resolve: {
		...defaultConfig.resolve,
		extensionAlias: { '.js': [ '.ts', '.js' ] },
	},
};
