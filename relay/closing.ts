/**
 * How the relay ends a connection, the same way on both front-ends. socket.io-client
 * reconnects by itself after any transport loss, and never after "io server disconnect" (a disconnect packet): a
 * restart closes the transport only (1012 "service restart" on a WebSocket, engine.io's close packet when polling),
 * while a client dropped for breaking the rules gets the disconnect packet first.
 */
export const CLOSE_NORMAL = 1000;
/** The client sent something that is no packet of the protocol. */
export const CLOSE_PROTOCOL = 1002;
/** The client broke a limit (its message rate). */
export const CLOSE_POLICY = 1008;
/** The relay is restarting or stopping: come back (to this relay once it is up, or to another one). */
export const CLOSE_RESTART = 1012;
