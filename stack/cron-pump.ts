/**
 * Plays the system cron for a local WordPress: requests /wp-cron.php every interval, one request at a time.
 *
 * Why: the plugin hands events to WP-Cron when PHP cannot finish the response early (no fastcgi_finish_request, as
 * in the Playground runtime), and there WP-Cron's own loopback never arrives while still taking the cron lock. With
 * DISABLE_WP_CRON set, WordPress stops spawning that loopback and this pump runs the jobs instead — the set-up many
 * production sites use (a system cron hitting wp-cron.php).
 */
export interface CronPump {
  stop(): Promise<void>;
  /** Completed requests so far (for progress and tests). */
  readonly runs: number;
}

/** One completed wp-cron.php request: when it started (Date.now()), how long it took, WordPress's status. */
export interface CronRun {
  startedAt: number;
  ms: number;
  status: number;
}

export interface CronPumpOptions {
  siteUrl: string;
  intervalMs?: number;
  onError?: (error: Error) => void;
  /** Called after each completed request (e.g. to log the pump's cadence and each run's duration). */
  onRun?: (run: CronRun) => void;
}

export function startCronPump({ siteUrl, intervalMs = 1000, onError, onRun }: CronPumpOptions): CronPump {
  let stopped = false;
  let runs = 0;
  let wake: (() => void) | null = null;
  const loop = (async () => {
    while (!stopped) {
      const started = Date.now();
      try {
        // Playground logs in any client without this cookie; cron needs no login.
        const response = await fetch(`${siteUrl}/wp-cron.php`, {
          headers: { cookie: 'playground_auto_login_already_happened=1' },
          redirect: 'manual',
          signal: AbortSignal.timeout(30_000),
        });
        await response.arrayBuffer();
        runs++;
        onRun?.({ startedAt: started, ms: Date.now() - started, status: response.status });
      } catch (error) {
        if (!stopped) onError?.(error as Error);
      }
      const wait = Math.max(0, intervalMs - (Date.now() - started));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();
  return {
    get runs() {
      return runs;
    },
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
