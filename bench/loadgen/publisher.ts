/** Publishes events over keep-alive HTTP the way each server expects them (see targets.ts). */
import { Agent, request } from 'node:http';
import { type AnyTarget, publishRequest } from '../targets.js';

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

  /** Resolves with the HTTP status; network failures resolve with 0 so that a run counts them instead of dying. */
  publish(events: Record<string, unknown>[]): Promise<number> {
    const { path, headers, body } = publishRequest(this.target, this.secret, events);
    const url = new URL(path, this.baseUrl);
    return new Promise((resolve) => {
      const req = request(url, { method: 'POST', agent: this.agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
        res.once('error', () => resolve(0));
      });
      req.once('error', () => resolve(0));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
