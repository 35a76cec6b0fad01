/**
 * socket.io-client 3.x (installed as the alias socket.io-client-v3) ships types that its "exports" map hides from
 * TypeScript's NodeNext resolution; the suite needs only `io`, and reaches the socket through drivers.ts's
 * SocketIoLike, the API 3.x and 4.x share.
 */
declare module 'socket.io-client-v3' {
  export function io(url: string, options?: Record<string, unknown>): unknown;
}
