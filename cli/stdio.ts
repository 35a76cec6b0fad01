/**
 * stdout and stderr may be pipes whose reader goes away first: `npm start 2>&1 | tee log` then Ctrl-C kills tee
 * with everything else, and the next line written (say "stopping …") fails with EPIPE. Unhandled, that error
 * kills the process in the middle of its shutdown and leaves WordPress running. With these handlers a closed
 * stream only stops the output: the command goes on stopping (or running) as if it had been printed.
 */
type Listener = () => void;

const closedListeners: Listener[] = [];
let stdoutClosed = false;
let installed = false;

/** True once stdout's reader has gone; a command whose only output is stdout (tail) may then stop. */
export function isStdoutClosed(): boolean {
  return stdoutClosed;
}

/** Called once when stdout's reader goes away. */
export function onStdoutClosed(listener: Listener): void {
  if (stdoutClosed) listener();
  else closedListeners.push(listener);
}

export function guardStdio(): void {
  if (installed) return;
  installed = true;
  process.stdout.on('error', () => {
    // EPIPE, or a write after the stream was destroyed because of it: either way nobody reads stdout any more.
    if (stdoutClosed) return;
    stdoutClosed = true;
    for (const listener of closedListeners.splice(0)) listener();
  });
  // Nothing useful can be done about a failing stderr: there is nowhere left to report it.
  process.stderr.on('error', () => undefined);
}
