// The mail servers' queue (seed 000, paragraph 66): the requests for one remote server run first in,
// first out, at most `perServer` at a time, each within `timeoutMs`. All users of a gateway reach a
// server from one address: a server that counts connections or failed logins per address sees them
// all, so the gateway keeps its own connections few and short.

export interface QueueOptions {
  /** Connections open at once to one server (host:port). */
  perServer: number;
  /** Longest a job may run once started; then its signal aborts and it fails with TimeoutError. */
  timeoutMs: number;
}

export class TimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

type Job = () => void;

export class ServerQueue {
  readonly options: QueueOptions;
  readonly #waiting = new Map<string, Job[]>();
  readonly #active = new Map<string, number>();

  constructor(options: QueueOptions) {
    this.options = options;
  }

  /** Runs `job` for `server` in its turn; the signal aborts when the time is up. */
  run<T>(server: string, job: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.#active.set(server, (this.#active.get(server) ?? 0) + 1);
        const controller = new AbortController();
        const timeout = new TimeoutError(this.options.timeoutMs);
        const timer = setTimeout(() => controller.abort(timeout), this.options.timeoutMs);
        const aborted = new Promise<never>((_, fail) => controller.signal.addEventListener('abort', () => fail(controller.signal.reason)));
        aborted.catch(() => {});
        const running = job(controller.signal);
        Promise.race([running, aborted]).then(resolve, reject);
        // The place is free once the job has really stopped (its connection closed), so the bound
        // holds for sockets, not just for promises; a job deaf to its signal gets one more period.
        let graceTimer: NodeJS.Timeout | undefined;
        const grace = new Promise((done) => controller.signal.addEventListener('abort', () => (graceTimer = setTimeout(done, this.options.timeoutMs))));
        Promise.race([running.catch(() => {}), grace]).then(() => {
          clearTimeout(timer);
          controller.abort(timeout); // a job that lost the race stops now
          clearTimeout(graceTimer);
          this.#finished(server);
        });
      };
      if ((this.#active.get(server) ?? 0) < this.options.perServer) start();
      else {
        const queue = this.#waiting.get(server) ?? [];
        queue.push(start);
        this.#waiting.set(server, queue);
      }
    });
  }

  /** Requests for `server` waiting for a connection now. */
  waiting(server: string): number {
    return this.#waiting.get(server)?.length ?? 0;
  }

  #finished(server: string): void {
    const active = (this.#active.get(server) ?? 1) - 1;
    if (active) this.#active.set(server, active);
    else this.#active.delete(server);
    const queue = this.#waiting.get(server);
    const next = queue?.shift();
    if (!queue?.length) this.#waiting.delete(server);
    next?.();
  }
}
