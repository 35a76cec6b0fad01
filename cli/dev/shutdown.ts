/**
 * Stopping `wp-realtime dev`: parts register how to stop themselves as they start; the first SIGINT/SIGTERM stops
 * them in reverse order (also mid-start-up, once the step under way returns), a second one forces the exit.
 */
export interface Shutdown {
  /** Resolves with the first signal. */
  readonly requested: Promise<NodeJS.Signals>;
  readonly isRequested: boolean;
  onStop(name: string, stop: () => Promise<void>): void;
  /** Stops everything registered, newest first; reports (and survives) a part that fails to stop. */
  stopAll(report: (line: string) => void): Promise<boolean>;
  dispose(): void;
}

export function shutdown(forceExit: () => void): Shutdown {
  const parts: { name: string; stop: () => Promise<void> }[] = [];
  let requestedSignal: NodeJS.Signals | null = null;
  let resolveRequested: (signal: NodeJS.Signals) => void = () => {};
  const requested = new Promise<NodeJS.Signals>((resolve) => (resolveRequested = resolve));
  const onSignal = (signal: NodeJS.Signals): void => {
    if (requestedSignal) {
      forceExit();
      return;
    }
    requestedSignal = signal;
    resolveRequested(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    requested,
    get isRequested() {
      return requestedSignal !== null;
    },
    onStop(name, stop) {
      parts.push({ name, stop });
    },
    async stopAll(report) {
      let clean = true;
      for (const part of parts.splice(0).reverse()) {
        const started = Date.now();
        try {
          await part.stop();
          report(`stopped ${part.name} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
        } catch (error) {
          clean = false;
          report(`could not stop ${part.name}: ${(error as Error).message.split('\n')[0]}`);
        }
      }
      return clean;
    },
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
