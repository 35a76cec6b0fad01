/**
 * How the relay ends a connection, the same way on the socket.io path and the lean WebSocket path. socket.io-client
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

/** The public parts of an engine.io Socket this module uses. */
export interface EngineConnectionLike {
  readyState: string;
  transport: { name: string; socket?: { close?: (code: number, reason?: string) => void } };
  close(discard?: boolean): void;
}

/** Closes an engine.io connection with `code` on a WebSocket, with engine.io's close packet on polling. */
export function closeEngineConnection(conn: EngineConnectionLike, code: number): void {
  const ws = conn.transport.name === 'websocket' ? conn.transport.socket : undefined;
  if (ws?.close) ws.close(code);
  else conn.close();
}
