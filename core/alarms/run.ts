// The watchdogs of a running system: each tick, one per cell the dispatch lists.
import type { Portal } from '../portal.ts';
import type { Channels } from './channels.ts';
import { Watchdog } from './watchdog.ts';
import { startPerCell } from '../ticker.ts';

/** Ticks a watchdog on every cell, those added later included; the promise gives the function that stops them. */
export async function startWatchdogs(portal: Portal, channels: Channels, intervalMs: number, log: (err: unknown) => void = console.error): Promise<() => Promise<void>> {
  // A watchdog holds no state between ticks: one made per tick always works on the cell's store as opened now.
  return startPerCell(portal, intervalMs, async (id) => new Watchdog((await portal.cell(id)).store, channels).tick(), log);
}
