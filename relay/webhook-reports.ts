/**
 * What the relay reports to the webhook URLs, and from where: the presence and occupancy changes this relay decided
 * (the delivery core's decisions, each made once cluster-wide), and, under --webhook-client-events, the client events
 * this relay accepted (the broker is wrapped, so every front-end's client events are reported, once: by the relay the
 * sender is connected to, not by the relays that deliver it).
 */
import type { Broker } from './broker.js';
import type { ClientEvent } from './client-events.js';
import type { DeliveryCore } from './core/delivery.js';
import { type DecidedChange, LocalOccupancy, type OccupancyStore } from './core/occupancy.js';
import type { ReportedEvent, Webhooks } from './webhooks.js';

/** The webhook event for a decided change (Pusher's names; `user_id` is the token's `sub`). */
export function reportOf(change: DecidedChange): ReportedEvent {
  switch (change.op) {
    case 'occupied':
      return { name: 'channel_occupied', channel: change.channel };
    case 'vacated':
      return { name: 'channel_vacated', channel: change.channel };
    case 'added':
      return { name: 'member_added', channel: change.channel, user_id: change.member.id };
    case 'removed':
      return { name: 'member_removed', channel: change.channel, user_id: change.id };
  }
}

export function clientEventReport(event: ClientEvent): ReportedEvent {
  return { name: 'client_event', channel: event.channel, event: event.name, data: event.data, user_id: event.from };
}

/**
 * Connects the core's decisions to the webhooks, before any client connects. `shared` is the Redis occupancy store
 * when the relay shares Redis; alone, the relay decides occupancy itself.
 */
export function reportDecisions(core: DeliveryCore, webhooks: Webhooks, shared: OccupancyStore | undefined): void {
  if (!webhooks.enabled) return;
  core.onDecided((change) => webhooks.report(reportOf(change)));
  core.trackOccupancy(shared ?? new LocalOccupancy((change) => core.decided(change)));
}

/** The broker, reporting each client event it is handed (under --webhook-client-events), or the broker itself. */
export function reportingClientEvents(broker: Broker, webhooks: Webhooks): Broker {
  if (!webhooks.reportsClientEvents) return broker;
  return {
    publish: (...args) => broker.publish(...args),
    replay: (...args) => broker.replay(...args),
    isReady: () => broker.isReady(),
    close: () => broker.close(),
    terminateUser: (...args) => broker.terminateUser(...args),
    publishClientEvent(event) {
      // A broker that cannot take it (Redis away) drops it: then nobody got it, and the site is not told either.
      const sent = broker.isReady();
      broker.publishClientEvent(event);
      if (sent) webhooks.report(clientEventReport(event));
    },
  };
}
