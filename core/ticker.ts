// A job run again and again in the background (the alarm watchdog, the mail retries): every
// `intervalMs` after the previous run ended, so runs never overlap; a failed run is logged and the
// next one comes as usual.

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
