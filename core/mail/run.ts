// The mail retries of a running system: on every cell, each tick sends again the outbox messages
// and checks again the accounts whose wait after a failure is over (Mail.retryDue).
import type { Portal } from '../portal.ts';
import { startTicker } from '../ticker.ts';

/** At most this many sends, and as many checks, per cell and tick: a long outage ends without a flood. */
export const RETRIES_PER_TICK = 20;

/** Starts one ticker per cell; the promise gives the function that stops them all. */
export async function startMailRetries(portal: Portal, intervalMs: number, perTick = RETRIES_PER_TICK, log: (err: unknown) => void = console.error): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  for (const { id } of await portal.dispatch.cells()) {
    const mail = await portal.mailOfCell(id);
    stops.push(startTicker(intervalMs, () => mail.retryDue(perTick), log));
  }
  return async () => {
    await Promise.all(stops.map((stop) => stop()));
  };
}
