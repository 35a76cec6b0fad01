/**
 * A relay outage as the outage specs stage it: the fixture relay stops, and the relay that comes back is a new
 * (in-memory) process on the same port whose relay_ready webhook waits at a gate until the spec opens it. On a real
 * stack WordPress sends its backlog within milliseconds of that webhook, so a listener (a socket client, a block
 * still reconnecting to a relay that lost its history on restart) must be connected before WordPress is told.
 * Afterwards the fixture relay is back, whatever the spec did.
 */
import { relayProcess, type RelayProcess } from '../../stack/relay-process.js';
import { webhookArgs, webhookUrl } from './fixtures.js';
import type { E2eStack } from './stack-env.js';
import { startWebhookGate, type WebhookGate } from './webhook-gate.js';

export interface RelayOutage {
  /** The relay that comes back: not started; the spec starts it when the outage should end. */
  readonly revived: RelayProcess;
  /** Holds the revived relay's webhooks until open(). */
  readonly gate: WebhookGate;
}

export async function duringRelayOutage(relay: RelayProcess, stack: E2eStack, body: (outage: RelayOutage) => Promise<void>): Promise<void> {
  const gate = await startWebhookGate(webhookUrl(stack));
  const revived = relayProcess({ port: stack.relayPort, host: stack.relayListenHost, secret: stack.secret, extraArgs: ['--log-level', 'warn', ...webhookArgs(stack, gate.url)] });
  await relay.stop();
  try {
    await body({ revived, gate });
  } finally {
    await revived.stop();
    await gate.close();
    await relay.start();
  }
}
