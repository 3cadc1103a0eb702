// The mail retries of a running system: on every cell, each tick sends again the outbox messages
// and checks again the accounts whose wait after a failure is over (Mail.retryDue).
import type { Portal } from '../portal.ts';
import { startPerCell } from '../ticker.ts';

/** At most this many sends, and as many checks, per cell and tick: a long outage ends without a flood. */
export const RETRIES_PER_TICK = 20;

/** Ticks the retries on every cell, those added later included; the promise gives the function that stops them. */
export async function startMailRetries(portal: Portal, intervalMs: number, perTick = RETRIES_PER_TICK, log: (err: unknown) => void = console.error): Promise<() => Promise<void>> {
  return startPerCell(portal, intervalMs, async (id) => (await portal.mailOfCell(id)).retryDue(perTick), log);
}
