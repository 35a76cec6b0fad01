/** A failure of the local stack (WordPress, relay) that the user can act on; the message says what to do. */
export class StackError extends Error {
  override name = 'StackError';
}
