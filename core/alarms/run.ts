// The watchdogs of a running system: one per cell the dispatch lists, each ticking on its own.
import type { Portal } from '../portal.ts';
import type { Channels } from './channels.ts';
import { Watchdog } from './watchdog.ts';

/** Starts a watchdog for every cell; the promise gives the function that stops them all. */
export async function startWatchdogs(portal: Portal, channels: Channels, intervalMs: number, log?: (err: unknown) => void): Promise<() => Promise<void>> {
  const dogs: Watchdog[] = [];
  for (const { id } of await portal.dispatch.cells()) {
    const dog = new Watchdog((await portal.cell(id)).store, channels, { log });
    dog.start(intervalMs);
    dogs.push(dog);
  }
  return async () => {
    await Promise.all(dogs.map((d) => d.stop()));
  };
}
