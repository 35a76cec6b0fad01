<?php
/**
 * Renders the generated Live Notifications block under php-cli the way WordPress does on a page: the block type is
 * registered with block.json's attributes and supports and the generated class's render callback, then rendered
 * through WP_Block (defaults applied, wrapper attributes from block supports). Everything comes from Debian's
 * WordPress core; there is no database, so the object cache is seeded with the one option used (blog_charset).
 *
 * Usage: php render-block.php <wordpress dir> <rendered class file> <block.json> <names JSON> <attributes JSON>
 */

list( , $wordpress, $class_file, $block_json, $names_json, $attributes_json ) = $argv;
$names = json_decode( $names_json, true );

define( 'ABSPATH', rtrim( $wordpress, '/' ) . '/' );
define( 'WPINC', 'wp-includes' );
define( $names['constantPrefix'] . '_PATH', '/nonexistent/plugin/' );

foreach ( array(
	'load.php',
	'plugin.php',
	'class-wp-error.php',
	'class-wp-object-cache.php',
	'cache.php',
	'formatting.php',
	'kses.php',
	'functions.php',
	'pomo/translations.php',
	'l10n.php',
	'class-wp-block-type.php',
	'class-wp-block-type-registry.php',
	'class-wp-block-list.php',
	'class-wp-block.php',
	'class-wp-block-supports.php',
	'block-supports/generated-classname.php',
	'blocks.php',
	'rest-api.php',
) as $core_file ) {
	require ABSPATH . WPINC . '/' . $core_file;
}
require $class_file;

wp_cache_init();
wp_cache_set( 'alloptions', array( 'blog_charset' => 'UTF-8' ), 'options' );
// The text domain counts as loaded, without translations: strings come back as written.
$GLOBALS['l10n'] = array( $names['textDomain'] => new NOOP_Translations() );

$metadata   = json_decode( file_get_contents( $block_json ), true );
$block_name = $names['namespace'] . '/live-notifications';
$class      = $names['classPrefix'] . '_Block';
$renderer   = new $class();
WP_Block_Type_Registry::get_instance()->register(
	$block_name,
	array(
		'attributes'      => $metadata['attributes'],
		'supports'        => $metadata['supports'],
		'render_callback' => array( $renderer, 'render' ),
	)
);

$parsed = array(
	'blockName'    => $block_name,
	'attrs'        => json_decode( $attributes_json, true ),
	'innerBlocks'  => array(),
	'innerHTML'    => '',
	'innerContent' => array(),
);
echo ( new WP_Block( $parsed ) )->render(); // phpcs:ignore WordPress.Security.EscapeOutput -- prints the block's own markup.
