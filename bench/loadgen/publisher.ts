/** Publishes events over keep-alive HTTP the way each server expects them (see targets.ts). */
import { Agent, request } from 'node:http';
import { type AnyTarget, publishRequest } from '../targets.js';

export interface PublishOutcome {
  status: number;
  error?: string;
}

/** "HTTP 503" or the network error code: how failed publishes are counted in the results. */
export function failureReason(outcome: PublishOutcome): string | null {
  if (outcome.status >= 200 && outcome.status < 300) return null;
  return outcome.status === 0 ? (outcome.error ?? 'network error') : `HTTP ${outcome.status}`;
}

export class Publisher {
  private readonly agent: Agent;

  constructor(
    private readonly target: AnyTarget,
    private readonly baseUrl: string,
    private readonly secret: string,
    maxSockets = 32,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /**
   * Resolves with the HTTP status; a network failure resolves with status 0 and its error code, so that a run
   * counts it instead of dying.
   */
  publish(events: Record<string, unknown>[]): Promise<PublishOutcome> {
    const { path, headers, body } = publishRequest(this.target, this.secret, events);
    return this.send(new URL(path, this.baseUrl), headers, body, true);
  }

  private send(url: URL, headers: Record<string, string>, body: string, mayRetry: boolean): Promise<PublishOutcome> {
    return new Promise((resolve) => {
      const req = request(url, { method: 'POST', agent: this.agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.once('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.once('error', (error: NodeJS.ErrnoException) => resolve({ status: 0, error: error.code ?? error.message }));
      });
      req.once('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed as idle just as it was reused: the request never reached the
        // server, so sending it again is safe (Node's documented remedy for this race).
        if (mayRetry && req.reusedSocket && error.code === 'ECONNRESET') resolve(this.send(url, headers, body, false));
        else resolve({ status: 0, error: error.code ?? error.message });
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
