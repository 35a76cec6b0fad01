<?php
/**
 * Runs a generated plugin's signer over protocol/vectors/*.json and prints what it computed, as JSON, so that the
 * calling test compares PHP's results with TypeScript's.
 * Usage: php vectors.php <signer.php> <Class_Name> <vectors dir> <WordPress core dir>
 *
 * The signer encodes token claims with wp_json_encode(), so WordPress's own wp-includes/functions.php is loaded
 * (it only defines functions): the bytes signed are those a real site signs.
 *
 * @package WpRealtimeTests
 */

list( , $signer_file, $class, $vectors_dir, $core_dir ) = $argv;
define( 'ABSPATH', rtrim( $core_dir, '/' ) . '/' );
define( 'WPINC', 'wp-includes' );
require ABSPATH . WPINC . '/functions.php';
require $signer_file;

$signature = json_decode( file_get_contents( $vectors_dir . '/signature.json' ), true );
$token     = json_decode( file_get_contents( $vectors_dir . '/token.json' ), true );

$verdict = static function ( $result ) {
	return true === $result || is_array( $result ) ? array( 'valid' => true ) : array( 'valid' => false, 'reason' => $result );
};

$out = array( 'sign' => array(), 'verify' => array(), 'mint' => array(), 'verifyToken' => array() );
foreach ( $signature['sign'] as $v ) {
	$out['sign'][] = ( new $class( $v['secret'] ) )->sign( $v['body'], $v['timestamp'] );
}
foreach ( $signature['verify'] as $v ) {
	$out['verify'][] = $verdict( ( new $class( $v['secret'] ) )->verify( $v['header'], $v['body'], $v['now'] ) );
}
foreach ( $token['mint'] as $v ) {
	$out['mint'][] = ( new $class( $v['secret'] ) )->mint_token( $v['user'], $v['channels'], $v['ttl'], $v['now'], isset( $v['info'] ) ? $v['info'] : null );
}
foreach ( $token['verify'] as $v ) {
	$result                = ( new $class( $v['secret'] ) )->verify_token( $v['token'], $v['now'] );
	$out['verifyToken'][]  = is_array( $result ) ? array( 'valid' => true, 'claims' => $result ) : $verdict( $result );
}
echo json_encode( $out, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE );
