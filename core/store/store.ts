// The one async storage interface every part of the core talks to.
// SQL is written in the subset both adapters share: `?` placeholders,
// portable column types from schema.ts, no upserts, no RETURNING.

export type SqlValue = string | number | bigint | null | Uint8Array;
export type Row = Record<string, SqlValue>;

export interface RunResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
  /** The auto-increment id of the row an INSERT created (0 otherwise). */
  lastId: number;
}

export type Dialect = 'sqlite' | 'mysql';

export interface Store {
  readonly dialect: Dialect;
  /** Where this store lives, as a URL (`sqlite:/path/file`, `mysql://…/db`). */
  readonly url: string;
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult>;
  all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Runs fn atomically: every statement fn issues through `tx` commits together or not at all. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Thrown by an adapter when a UNIQUE constraint refuses a row, so callers can tell "taken" from "broken". */
export class DuplicateKeyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DuplicateKeyError';
  }
}
