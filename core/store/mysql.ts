// The production store: one MySQL/MariaDB database per store through a mysql2 pool.
import mysql, { type Pool, type PoolConnection, type ResultSetHeader } from 'mysql2/promise';
import { DuplicateKeyError, type Row, type RunResult, type SqlValue, type Store } from './store.ts';

const ER_DUP_ENTRY = 1062;
// How long a transaction waits for the one before it on the same database.
const LOCK_WAIT_SECONDS = 30;

const OPTIONS = {
  // utf8mb4 with binary collation, so even comparisons of bare parameters go by code point as on SQLite.
  charset: 'UTF8MB4_BIN',
  // Numbers as JS numbers (strings only beyond 2^53), DECIMAL included, as node:sqlite gives them.
  supportBigNumbers: true,
  bigNumberStrings: false,
  decimalNumbers: true,
  // Row values stay within SqlValue: no Date objects, no parsed JSON.
  dateStrings: true,
  jsonStrings: true,
  // execute() caches prepared statements per connection; 100 each keeps even 151 connections (MariaDB's default max) under max_prepared_stmt_count (16382).
  maxPreparedStatements: 100,
};

function rethrow(err: unknown): never {
  if ((err as { errno?: number })?.errno === ER_DUP_ENTRY) {
    throw new DuplicateKeyError((err as Error).message, { cause: err });
  }
  throw err;
}

/** `mysql://user:password@host:port/database` → connection options and the database name. */
function parse(url: string) {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.slice(1));
  if (!database) throw new Error('A mysql: store URL must name a database, as in mysql://user@host:3306/name');
  const server = {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
  };
  return { server, database };
}

const quoteId = (name: string) => '`' + name.replaceAll('`', '``') + '`';

// Binds a Uint8Array as a BLOB: mysql2 only recognises Buffers.
const param = (v: SqlValue) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v);

class MysqlStore implements Store {
  readonly dialect = 'mysql' as const;
  readonly url: string;
  readonly #db: Pool | PoolConnection;
  /** The pool behind a root store; absent on the store a transaction hands to its fn. */
  readonly #pool: Pool | undefined;
  readonly #lock: string;

  constructor(url: string, lock: string, db: Pool | PoolConnection, pool?: Pool) {
    this.url = url;
    this.#lock = lock;
    this.#db = db;
    this.#pool = pool;
  }

  async #query(sql: string, params: readonly SqlValue[] = []): Promise<unknown> {
    try {
      // Parameterised statements repeat, so they are prepared once per connection; parameterless ones (DDL, one-offs) gain nothing from it.
      const [result] = params.length ? await this.#db.execute(sql, params.map(param)) : await this.#db.query(sql);
      return result;
    } catch (err) {
      rethrow(err);
    }
  }

  async run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    const r = (await this.#query(sql, params)) as ResultSetHeader;
    return { changes: r.affectedRows, lastId: Number(r.insertId) };
  }
  async all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]) {
    return (await this.#query(sql, params)) as T[];
  }
  async get<T extends Row = Row>(sql: string, params?: readonly SqlValue[]) {
    return (await this.all<T>(sql, params))[0];
  }

  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    // A BEGIN on the transaction's own connection would silently commit the outer one.
    if (!this.#pool) throw new Error('Transactions do not nest: use the tx you were given.');
    const conn = await this.#pool.getConnection();
    try {
      // One transaction at a time per database, as SQLite's BEGIN IMMEDIATE gives: under InnoDB's
      // REPEATABLE READ two read-then-write transactions would both read the old value and one update would be lost.
      const [[{ locked }]] = (await conn.execute('SELECT GET_LOCK(?, ?) AS locked', [this.#lock, LOCK_WAIT_SECONDS])) as unknown as [[{ locked: number | null }]];
      if (locked !== 1) throw new Error(`Waited ${LOCK_WAIT_SECONDS} s for another transaction on ${this.#lock} to end.`);
      await conn.query('BEGIN');
      const result = await fn(new MysqlStore(this.url, this.#lock, conn));
      await conn.query('COMMIT');
      return result;
    } catch (err) {
      // If the connection died the server has rolled back already; the original error says more.
      await conn.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      // Likewise a dead session's lock is freed by the server, and mysql2 drops its connection from the pool.
      await conn.execute('DO RELEASE_LOCK(?)', [this.#lock]).catch(() => {});
      conn.release();
    }
  }

  async close() {
    if (!this.#pool) throw new Error('Close the store, not the tx.');
    await this.#pool.end();
  }
}

/** Opens `mysql://user:password@host:port/database`, creating the database if it is missing. */
export async function openMysql(url: string): Promise<Store> {
  const { server, database } = parse(url);
  const admin = await mysql.createConnection({ ...server, ...OPTIONS });
  try {
    await admin.query(`CREATE DATABASE IF NOT EXISTS ${quoteId(database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await admin.end();
  }
  // A deployment holds one pool per cell store in every gateway process: idle connections beyond
  // two are closed after a minute, so many cells do not pin the server's connection limit.
  const pool = mysql.createPool({ ...server, ...OPTIONS, database, connectionLimit: 10, maxIdle: 2, idleTimeout: 60_000 });
  // Backslash is an ordinary character in string literals, as in SQLite and standard SQL, so `ESCAPE '\'` means the same on both.
  // Commands on a connection run in order, so this precedes the first statement it is handed out for; a connection it fails on is dropped.
  pool.pool.on('connection', (conn) => {
    conn.query("SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_BACKSLASH_ESCAPES')", (err) => err && conn.destroy());
  });
  return new MysqlStore(url, database, pool, pool);
}

/**
 * Drops the database a `mysql:` URL names and every database derived from it as a base URL
 * (`<name>_dispatch`, `<name>_cell_c1`: see locate.ts). Tests and the benchmark clean up with it.
 */
export async function dropMysqlDatabases(url: string): Promise<void> {
  const { server, database } = parse(url);
  const admin = await mysql.createConnection({ ...server, ...OPTIONS });
  try {
    const like = `${database.replace(/[\\%_]/g, '\\$&')}\\_%`;
    const [rows] = await admin.execute('SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name = ? OR schema_name LIKE ?', [database, like]);
    for (const { name } of rows as { name: string }[]) await admin.query(`DROP DATABASE IF EXISTS ${quoteId(name)}`);
  } finally {
    await admin.end();
  }
}
