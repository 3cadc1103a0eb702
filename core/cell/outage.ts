// A cell whose store cannot be reached is out of service for its own users only: its failures
// become one clear "unavailable" error (503 at the gateway), and the portal opens it afresh on
// the next request, so it serves again as soon as its store is back.
import type { Row, SqlValue, Store } from '../store/store.ts';
import { CoreError } from '../errors.ts';

// The network and server errors of mysql2, and node:sqlite's "cannot open" and "closed": the store is not there.
const OUTAGE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN', 'ER_CONNECTION_KILLED',
  'ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_BAD_DB_ERROR',
]);
// SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_NOTADB.
const SQLITE_OUTAGES = new Set([10, 14, 26]);

/** Whether an error says the store itself is out of reach (rather than that a statement was wrong). */
export function isOutage(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; errcode?: number; fatal?: boolean; message?: string };
  if (!e || typeof e !== 'object') return false;
  if (e.fatal === true || (e.code && OUTAGE_CODES.has(e.code))) return true;
  if (e.code === 'ERR_SQLITE_ERROR' && SQLITE_OUTAGES.has(Number(e.errcode) & 0xff)) return true;
  return /Pool is closed|database is not open|statement has been finalized/i.test(e.message ?? '');
}

export function cellUnavailable(cellId: string, cause: unknown): CoreError {
  const err = new CoreError('unavailable', 'This service is unavailable for a moment: the server that keeps your data cannot be reached. Try again in a few minutes.');
  (err as Error).cause = { cellId, cause };
  return err;
}

/** The store of cell `cellId`, whose outages become `cellUnavailable` after `onOutage` is told. */
export class GuardedStore implements Store {
  readonly #store: Store;
  readonly #cellId: string;
  readonly #onOutage: () => void;

  constructor(store: Store, cellId: string, onOutage: () => void) {
    this.#store = store;
    this.#cellId = cellId;
    this.#onOutage = onOutage;
  }
  get dialect() {
    return this.#store.dialect;
  }
  get url() {
    return this.#store.url;
  }

  async #guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (!isOutage(err)) throw err;
      this.#onOutage();
      throw cellUnavailable(this.#cellId, err);
    }
  }

  run(sql: string, params?: readonly SqlValue[]) {
    return this.#guard(() => this.#store.run(sql, params));
  }
  all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]) {
    return this.#guard(() => this.#store.all<T>(sql, params));
  }
  get<T extends Row = Row>(sql: string, params?: readonly SqlValue[]) {
    return this.#guard(() => this.#store.get<T>(sql, params));
  }
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return this.#guard(() => this.#store.transaction(fn));
  }
  close() {
    return this.#store.close();
  }
}
