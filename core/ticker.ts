// A job run again and again in the background (the alarm watchdog, the mail retries, rebalancing): every
// `intervalMs` after the previous run ended, so runs never overlap; a failed run is logged and the
// next one comes as usual.
import type { Portal } from './portal.ts';

/** Starts ticking at once; the returned function stops it and waits for a run in progress. */
export function startTicker(intervalMs: number, run: () => Promise<unknown>, log: (err: unknown) => void): () => Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const loop = () => {
    running = run()
      .catch(log)
      .then(() => {
        if (!stopped) timer = setTimeout(loop, intervalMs);
      });
  };
  timer = setTimeout(loop, 0);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}

/**
 * Ticks `job` over every cell the dispatch lists at each run: a cell added while the system runs is
 * served from the next run on, and a cell that cannot be reached is skipped, so the others go on
 * (and so does the start of the gateway). It is tried again at every run, but logged only when it
 * goes out of reach and when it is back, not once a tick for as long as it is away.
 */
export function startPerCell(portal: Portal, intervalMs: number, job: (cellId: string) => Promise<unknown>, log: (err: unknown) => void): () => Promise<void> {
  const away = new Set<string>();
  return startTicker(
    intervalMs,
    async () => {
      for (const { id } of await portal.dispatch.cells()) {
        try {
          await job(id);
          if (away.delete(id)) log(`cell ${id} is back`);
        } catch (err) {
          if (!away.has(id)) log(new Error(`cell ${id}: ${(err as Error).message}`, { cause: err }));
          away.add(id);
        }
      }
    },
    log,
  );
}
