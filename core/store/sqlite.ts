// The embedded default: one SQLite file per store through node:sqlite, no server needed.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuplicateKeyError, type Row, type RunResult, type SqlValue, type Store } from './store.ts';

/**
 * Serialises transactions: node:sqlite has one connection, so while a transaction is open every
 * other statement and transaction waits for it. With none open a statement runs at once.
 */
class Gate {
  #tail: Promise<void> = Promise.resolve();
  #held = 0;

  get open(): boolean {
    return this.#held === 0;
  }

  async hold<T>(fn: () => Promise<T>): Promise<T> {
    const before = this.#tail;
    let release!: () => void;
    this.#tail = new Promise((resolve) => (release = resolve));
    this.#held++;
    await before;
    try {
      return await fn();
    } finally {
      this.#held--;
      release();
    }
  }
}

function rethrow(err: unknown): never {
  const e = err as { code?: string; errstr?: string; message?: string };
  if (e?.code === 'ERR_SQLITE_ERROR' && /UNIQUE constraint failed/.test(e.message ?? '')) {
    throw new DuplicateKeyError(e.message ?? 'duplicate key', { cause: err });
  }
  throw err;
}

class SqliteSession implements Store {
  readonly dialect = 'sqlite' as const;
  readonly url: string;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();

  constructor(db: DatabaseSync, url: string) {
    this.#db = db;
    this.url = url;
  }

  #prepare(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  runNow(sql: string, params: readonly SqlValue[] = []): RunResult {
    try {
      const r = this.#prepare(sql).run(...(params as SqlValue[]));
      // lastInsertRowid is the connection's last insert, whatever this statement was.
      return { changes: Number(r.changes), lastId: /^\s*INSERT/i.test(sql) ? Number(r.lastInsertRowid) : 0 };
    } catch (err) {
      rethrow(err);
    }
  }

  allNow<T>(sql: string, params: readonly SqlValue[] = []): T[] {
    try {
      return this.#prepare(sql).all(...(params as SqlValue[])) as T[];
    } catch (err) {
      rethrow(err);
    }
  }

  async run(sql: string, params?: readonly SqlValue[]) {
    return this.runNow(sql, params);
  }
  async all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]) {
    return this.allNow<T>(sql, params);
  }
  async get<T extends Row = Row>(sql: string, params?: readonly SqlValue[]) {
    return this.allNow<T>(sql, params)[0];
  }
  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = await fn(this);
      this.#db.exec('COMMIT');
      return result;
    } catch (err) {
      this.#db.exec('ROLLBACK');
      throw err;
    }
  }
  async close() {
    this.#db.close();
  }
}

/** The store handed out: statements outside a transaction wait while one is open. */
class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  readonly #session: SqliteSession;
  readonly #gate = new Gate();

  constructor(session: SqliteSession) {
    this.#session = session;
  }
  get url() {
    return this.#session.url;
  }
  // The synchronous fast path matters: a page view makes several reads, and each trip through
  // the gate's promises costs more than the read itself.
  async run(sql: string, params?: readonly SqlValue[]) {
    return this.#gate.open ? this.#session.runNow(sql, params) : this.#gate.hold(() => this.#session.run(sql, params));
  }
  async all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]) {
    return this.#gate.open ? this.#session.allNow<T>(sql, params) : this.#gate.hold(() => this.#session.all<T>(sql, params));
  }
  async get<T extends Row = Row>(sql: string, params?: readonly SqlValue[]) {
    return (await this.all<T>(sql, params))[0];
  }
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return this.#gate.hold(() => this.#session.transaction(fn));
  }
  close() {
    return this.#gate.hold(() => this.#session.close());
  }
}

/** Opens `sqlite:/path/to/file.sqlite` or `sqlite::memory:`. */
export function openSqlite(url: string): Store {
  const path = url.replace(/^sqlite:/, '');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
  return new SqliteStore(new SqliteSession(db, url));
}
