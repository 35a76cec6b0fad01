/**
 * Everything a connected client sends after its handshake is decided here, once, for both kinds of connection (the
 * socket.io path and the lean WebSocket path call the same functions): which events exist, what an ack answers
 * (also when the payload is missing or malformed), and the per-client message rate.
 */
import { isClientEventName } from './client-events.js';
import { type ClientSession } from './handshake.js';
import type { RelayMetrics } from './metrics.js';
import type { RelayOptions } from './options.js';
import type { Revocations } from './revocations.js';
import { changeSubscription, refreshToken, type SubscriptionResponse, type SubscriptionTarget } from './subscriptions.js';

export type BudgetVerdict = 'ok' | 'refuse' | 'drop';

/**
 * A token bucket of `rate` messages per second (a burst of `rate`), plus a second bucket of refusals: a client that
 * keeps sending while refused (more than twice the rate, sustained) is dropped instead of costing an answer each time.
 */
export class MessageBudget {
  private tokens: number;
  private strikes = 0;
  private at = Date.now();

  constructor(private readonly rate: number) {
    this.tokens = rate;
  }

  take(now = Date.now()): BudgetVerdict {
    const refill = ((now - this.at) / 1000) * this.rate;
    this.at = now;
    this.tokens = Math.min(this.rate, this.tokens + refill);
    this.strikes = Math.max(0, this.strikes - refill);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 'ok';
    }
    this.strikes += 1;
    return this.strikes > this.rate ? 'drop' : 'refuse';
  }
}

/** What answers a client event (`client-*`): the relay's verdict, `{ ok: true }` once sent on. */
export type ClientEventAnswer = { ok: true } | { ok: false; error: string; message: string };

export interface ClientMessageDeps {
  options: Pick<RelayOptions, 'secret' | 'publicChannels' | 'clientMessageRate'>;
  metrics: Pick<RelayMetrics, 'rejections'>;
  revocations?: Revocations;
}

/** What the relay does with one client event: answer its ack (when it asked for one) and/or drop the client. */
export interface ClientEventOutcome {
  /** undefined: nothing to answer (the client asked for no ack). */
  answer?: SubscriptionResponse | ClientEventAnswer;
  drop: boolean;
}

const RATE_LIMITED = (rate: number): SubscriptionResponse => ({
  ok: false,
  error: 'rate_limited',
  message: `more than ${rate} messages per second from this client; slow down`,
});

/**
 * Counts a frame that is no event (a pong, a noop) against the client's budget; true when the client must be dropped.
 */
export function chargeFrame(budget: MessageBudget, deps: ClientMessageDeps): boolean {
  return chargeMessage(budget, deps) === 'drop';
}

/** Takes one message from the client's budget and counts a refusal or a drop by reason (every protocol's messages). */
export function chargeMessage(budget: MessageBudget, deps: Pick<ClientMessageDeps, 'metrics'>): BudgetVerdict {
  const verdict = budget.take();
  if (verdict !== 'ok') deps.metrics.rejections.inc({ reason: verdict === 'drop' ? 'client_flooding' : 'client_rate_limited' });
  return verdict;
}

/**
 * One client event, whatever path it came by. `args` are the event's arguments without the ack callback; `wantsAck`
 * says whether the client asked for an answer. An ack with no payload is answered like any malformed payload.
 */
export function handleClientEvent(
  target: SubscriptionTarget & { session: ClientSession; clientEvent(name: string, payload: unknown): ClientEventAnswer },
  budget: MessageBudget,
  name: string,
  args: readonly unknown[],
  wantsAck: boolean,
  deps: ClientMessageDeps,
): ClientEventOutcome {
  const verdict = budget.take();
  if (verdict === 'drop') {
    deps.metrics.rejections.inc({ reason: 'client_flooding' });
    return { drop: true };
  }
  if (verdict === 'refuse') {
    deps.metrics.rejections.inc({ reason: 'client_rate_limited' });
    return wantsAck ? { answer: RATE_LIMITED(deps.options.clientMessageRate), drop: false } : { drop: false };
  }
  let response: SubscriptionResponse | ClientEventAnswer;
  const payload = args[0];
  if (name === 'subscribe' || name === 'unsubscribe') response = changeSubscription(target, payload, name, deps);
  else if (name === 'refresh_token') response = refreshToken(target, payload, deps);
  else if (isClientEventName(name)) response = target.clientEvent(name, payload);
  else response = { ok: false, error: 'unknown_event', message: `"${name}" is not an event the relay answers; send subscribe, unsubscribe, refresh_token or client-*` };
  return wantsAck ? { answer: response, drop: false } : { drop: false };
}
