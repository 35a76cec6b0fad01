/** Start-up progress for `wp-realtime dev`: one line per step with how long it took, on stderr. */
export interface Progress {
  step<T>(title: string, work: () => Promise<T>): Promise<T>;
  /** A detail line from inside the current step (e.g. wp-env's own output). */
  detail(line: string): void;
  readonly totalSeconds: number;
}

export function progress(write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Progress {
  const started = Date.now();
  let count = 0;
  return {
    async step(title, work) {
      count++;
      const stepStarted = Date.now();
      write(`[${count}] ${title} …`);
      const result = await work();
      write(`[${count}] ${title}: done in ${((Date.now() - stepStarted) / 1000).toFixed(1)}s`);
      return result;
    },
    detail(line) {
      write(`      ${line}`);
    },
    get totalSeconds() {
      return (Date.now() - started) / 1000;
    },
  };
}
