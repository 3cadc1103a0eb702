// Copying one owner from their cell's store to another cell's, while they keep working (seed 000,
// paragraph 64). Passes copy what changed since the pass before (the database's data_version says
// whether anything did); the last pass runs inside a transaction on the source, which every
// writer there waits for, and ends the owner's life on the source. The ids of databases, fields
// and records are the target's own; the source keeps old → new (tombstone.ts).
import type { Row, SqlValue, Store } from '../store/store.ts';
import type { Field, FieldType, Value } from './fields.ts';
import { emptyValues, insertRecords, removeRecord, replaceRecord } from './records.ts';
import { dropIds, noteIds } from './tombstone.ts';

/** Old → new ids of what moved, for tables that refer to them. */
export interface IdMaps {
  db(oldId: number): number | undefined;
  field(oldId: number): number | undefined;
  record(oldId: number): number | undefined;
}

/**
 * A table of another feature (alarms, planner, mail…) whose rows belong to one owner and move
 * with them, in the last pass. Its migration must have run on every cell store.
 */
export interface OwnedTable {
  table: string;
  /** The column holding the owner's login. */
  owner: string;
  /** An auto-increment id column, numbered afresh by the target. */
  id?: string;
  /** Only the rows this SQL condition on the table's columns selects (one table, several entries). */
  where?: string;
  /**
   * Columns holding ids, renumbered on the way: of the cell's databases, fields or records, or of
   * another owned table's `id` (named by its table), which then moves first.
   */
  refs?: Record<string, keyof IdMaps | string>;
}

/** Features append their owner-scoped tables here (see core/alarms/schema.ts). */
export const OWNED_TABLES: OwnedTable[] = [];

/** Old → new ids of what moved: the cell's own, and those of each renumbered table, by its name. */
export interface MovedIds extends IdMaps {
  /** A table's old → new ids, filled by the part that moves it (tables refer to those moved before them). */
  table(name: string): Map<number, number>;
}

/**
 * What a feature with tables on the cell store gives the move, so its owner's rows go along.
 * All of it runs in the last pass: `read` inside the transaction on the source that writers wait
 * for, `write` inside one transaction on the target, `remove` back in the source's transaction.
 */
export interface MovingPart<T = unknown> {
  /** Brings the part's tables up to date on a store (source and target), before the last pass. */
  prepare?(store: Store): Promise<void>;
  /** The owner's rows; `lock` ends a SELECT so that it locks them (MariaDB), or is empty. */
  read(from: Store, login: string, lock: string): Promise<T>;
  /** Inserts them on the target with ids renumbered through `ids`, noting its own new ids there. */
  write(to: Store, rows: T, ids: MovedIds): Promise<void>;
  remove(from: Store, login: string): Promise<void>;
}

/** The owned tables in an order where each comes after the tables its ids refer to. */
function inMoveOrder(tables: readonly OwnedTable[]): OwnedTable[] {
  const ordered: OwnedTable[] = [];
  const waits = (t: OwnedTable) => Object.values(t.refs ?? {}).some((ref) => tables.some((o) => o.table === ref && !ordered.includes(o)));
  for (let rest = [...tables]; rest.length; ) {
    const next = rest.find((t) => !waits(t));
    if (!next) throw new Error(`OWNED_TABLES refer to each other in a circle: ${rest.map((t) => t.table).join(', ')}`);
    ordered.push(next);
    rest = rest.filter((t) => t !== next);
  }
  return ordered;
}

const BATCH = 1000;
/** The owner a database has on the target until the move ends: no login can be it (see LOGIN in dispatch.ts). */
const pending = (login: string) => `~moving:${login}`;
const inList = (n: number) => Array(n).fill('?').join(', ');

type DbRow = { id: number; name: string; created_at: number; locked: number; fields_version: number; data_version: number };
type RecordRow = { id: number; data: string; created_at: number; updated_at: number };
type FieldRow = { id: number; name: string; type: string; position: number; options: string };

interface DbCopy {
  sourceId: number;
  targetId: number;
  /** Source field id → target field id. */
  fields: Map<number, number>;
  targetFields: Field[];
  fieldsVersion: number;
  /** Source record id → the target's id and the data it was copied with. */
  records: Map<number, { id: number; data: string }>;
  /** The source's data_version when the last pass began reading this database. */
  scanned: number;
}

/** What the last pass moved, for the dispatch and the other cells to follow. */
export interface Moved {
  dbs: { from: number; to: number }[];
  /** Who the moved databases are shared with: their lists on their own cells point at the new place. */
  grantees: { dbId: number; login: string }[];
  /** What others share with the moved owner: their permissions name the owner's new cell. */
  sharedWithMe: { ownerCell: string; dbId: number }[];
}

export class OwnerCopy {
  readonly login: string;
  readonly source: Store;
  readonly target: Store;
  readonly #dbs = new Map<number, DbCopy>();
  /** Records written to the target so far (inserted, replaced or removed). */
  written = 0;

  constructor(login: string, source: Store, target: Store) {
    this.login = login;
    this.source = source;
    this.target = target;
  }

  /** Removes what a broken earlier move of this owner left on the target. */
  async clearLeftovers(): Promise<void> {
    const rows = await this.target.all<{ id: number }>('SELECT id FROM dbs WHERE owner = ?', [pending(this.login)]);
    await purgeDatabases(this.target, rows.map((r) => Number(r.id)));
  }

  /** Brings every moving part's tables up to date on both stores, so the last pass can read and write them. */
  async prepare(): Promise<void> {
    for (const part of MOVING_PARTS) for (const store of [this.source, this.target]) await part.prepare?.(store);
  }

  /** One pass through `read` (the source, or the last pass's transaction on it); returns the records written. */
  async pass(read: Store): Promise<number> {
    const before = this.written;
    const rows = await read.all<DbRow>('SELECT id, name, created_at, locked, fields_version, data_version FROM dbs WHERE owner = ? ORDER BY id', [this.login]);
    for (const row of rows) {
      const copy = this.#dbs.get(Number(row.id)) ?? (await this.#startDb(row));
      if (copy.fieldsVersion !== Number(row.fields_version)) await this.#syncFields(read, copy, Number(row.fields_version));
      if (copy.scanned !== Number(row.data_version)) {
        copy.scanned = Number(row.data_version);
        await this.#syncRecords(read, copy);
      }
    }
    return this.written - before;
  }

  async #startDb(row: DbRow): Promise<DbCopy> {
    const { lastId } = await this.target.run('INSERT INTO dbs (owner, name, created_at) VALUES (?, ?, ?)', [pending(this.login), row.name, row.created_at]);
    const copy: DbCopy = { sourceId: Number(row.id), targetId: lastId, fields: new Map(), targetFields: [], fieldsVersion: -1, records: new Map(), scanned: -1 };
    this.#dbs.set(copy.sourceId, copy);
    return copy;
  }

  async #syncFields(read: Store, copy: DbCopy, version: number): Promise<void> {
    const rows = await read.all<FieldRow>('SELECT id, name, type, position, options FROM fields WHERE db_id = ? ORDER BY position, id', [copy.sourceId]);
    const added: [number, number][] = [];
    for (const f of rows.filter((r) => !copy.fields.has(Number(r.id)))) {
      const id = await this.target.transaction(async (tx) => {
        const { lastId } = await tx.run('INSERT INTO fields (db_id, position, name, type, options) VALUES (?, ?, ?, ?, ?)', [copy.targetId, f.position, f.name, f.type, f.options]);
        await emptyValues(tx, copy.targetId, lastId, f.type);
        return lastId;
      });
      copy.fields.set(Number(f.id), id);
      added.push([Number(f.id), id]);
    }
    await noteIds(read, copy.sourceId, 'f', added);
    copy.targetFields = rows.map((r) => ({ id: copy.fields.get(Number(r.id))!, name: r.name, type: r.type as FieldType, position: Number(r.position), options: JSON.parse(r.options) }));
    copy.fieldsVersion = version;
  }

  /** The values of a source record under the target's field ids. */
  #values(copy: DbCopy, data: string): Record<string, Value> {
    return Object.fromEntries(Object.entries(JSON.parse(data) as Record<string, Value>).flatMap(([k, v]) => (copy.fields.has(Number(k)) ? [[String(copy.fields.get(Number(k))), v]] : [])));
  }

  async #syncRecords(read: Store, copy: DbCopy): Promise<void> {
    const seen = new Set<number>();
    for (let after = 0; ; ) {
      const rows = await read.all<RecordRow>('SELECT id, data, created_at, updated_at FROM records WHERE db_id = ? AND id > ? ORDER BY id LIMIT ?', [copy.sourceId, after, BATCH]);
      const fresh: RecordRow[] = [];
      for (const row of rows) {
        const id = Number(row.id);
        seen.add(id);
        const known = copy.records.get(id);
        if (!known) fresh.push(row);
        else if (known.data !== row.data) {
          await replaceRecord(this.target, copy.targetId, known.id, copy.targetFields, this.#values(copy, row.data), undefined, Number(row.updated_at));
          known.data = row.data;
          this.written++;
        }
      }
      if (fresh.length) {
        const times = fresh.map((r) => ({ created: Number(r.created_at), updated: Number(r.updated_at) }));
        const ids = await insertRecords(this.target, copy.targetId, copy.targetFields, fresh.map((r) => this.#values(copy, r.data)), undefined, times);
        fresh.forEach((r, i) => copy.records.set(Number(r.id), { id: ids[i], data: r.data }));
        await noteIds(read, copy.sourceId, 'r', fresh.map((r, i) => [Number(r.id), ids[i]]));
        this.written += fresh.length;
      }
      if (rows.length < BATCH) break;
      after = Number(rows[rows.length - 1].id);
    }
    const gone = [...copy.records.keys()].filter((id) => !seen.has(id));
    for (const id of gone) {
      await removeRecord(this.target, copy.targetId, copy.records.get(id)!.id);
      copy.records.delete(id);
    }
    await dropIds(read, copy.sourceId, 'r', gone);
    this.written += gone.length;
  }

  /**
   * The last pass, inside `tx`, a transaction on the source that writers there wait for: copies
   * the rest, makes the owner live on the target, and leaves tombstones where they were.
   */
  async finish(tx: Store, toCell: string): Promise<Moved> {
    if (tx.dialect === 'mysql') {
      // Statements outside transactions do not wait for the lock transactions take: these locks
      // (gaps included) hold back a password change, a new database or a revocation until the end.
      await tx.all('SELECT login FROM users WHERE login = ? FOR UPDATE', [this.login]);
      await tx.all('SELECT id FROM dbs WHERE owner = ? FOR UPDATE', [this.login]);
    }
    await this.pass(tx);
    const user = await tx.get('SELECT login, password_hash, name, language, created_at, locker_hash FROM users WHERE login = ?', [this.login]);
    if (!user) throw new Error(`${this.login} is not on this cell any more.`);
    const dbs = await tx.all<DbRow>('SELECT id, name, created_at, locked, fields_version, data_version FROM dbs WHERE owner = ? ORDER BY id', [this.login]);
    const ids = dbs.map((d) => Number(d.id));
    const lock = tx.dialect === 'mysql' ? ' FOR UPDATE' : '';
    const permissions = ids.length ? await tx.all(`SELECT db_id, grantee, grantee_cell, access FROM permissions WHERE db_id IN (${inList(ids.length)})${lock}`, ids) : [];
    const shared = await tx.all(`SELECT login, owner_cell, db_id, owner, db_name, access FROM shared_with_me WHERE login = ?${lock}`, [this.login]);
    const maps = this.#maps();
    const parts: { part: MovingPart; rows: unknown }[] = [];
    for (const part of MOVING_PARTS) parts.push({ part, rows: await part.read(tx, this.login, lock) });

    await this.target.transaction(async (to) => {
      await to.run('DELETE FROM moved_users WHERE login = ?', [this.login]);
      await insertRows(to, 'users', [user]);
      for (const db of dbs) {
        await to.run('UPDATE dbs SET owner = ?, locked = ?, fields_version = ?, data_version = ? WHERE id = ?', [this.login, db.locked, db.fields_version, Number(db.data_version) + 1, maps.db(Number(db.id))!]);
      }
      await insertRows(to, 'permissions', permissions.map((p) => ({ ...p, db_id: maps.db(Number(p.db_id))! })));
      await insertRows(to, 'shared_with_me', shared);
      const tables = new Map<string, Map<number, number>>();
      const ids: MovedIds = { ...maps, table: (name) => tables.get(name) ?? tables.set(name, new Map()).get(name)! };
      for (const { part, rows } of parts) await part.write(to, rows, ids);
    });

    const now = Date.now();
    await tx.run('DELETE FROM moved_users WHERE login = ?', [this.login]);
    await tx.run('INSERT INTO moved_users (login, to_cell, moved_at) VALUES (?, ?, ?)', [this.login, toCell, now]);
    for (const id of ids) await tx.run('INSERT INTO moved_dbs (db_id, to_cell, to_db, moved_at) VALUES (?, ?, ?, ?)', [id, toCell, maps.db(id)!, now]);
    // Before the dbs rows go: a part may find its rows through the owner's databases.
    for (const { part } of parts) await part.remove(tx, this.login);
    if (ids.length) {
      // Without its dbs row a database is gone for every reader and writer; its bulk goes later (purgeDatabases).
      await tx.run(`DELETE FROM permissions WHERE db_id IN (${inList(ids.length)})`, ids);
      await tx.run(`DELETE FROM dbs WHERE id IN (${inList(ids.length)})`, ids);
    }
    await tx.run('DELETE FROM users WHERE login = ?', [this.login]);
    await tx.run('DELETE FROM shared_with_me WHERE login = ?', [this.login]);
    return {
      dbs: ids.map((from) => ({ from, to: maps.db(from)! })),
      grantees: permissions.map((p) => ({ dbId: Number(p.db_id), login: String(p.grantee) })),
      sharedWithMe: shared.map((s) => ({ ownerCell: String(s.owner_cell), dbId: Number(s.db_id) })),
    };
  }

  #maps(): IdMaps {
    const dbs = [...this.#dbs.values()];
    const find = (pick: (c: DbCopy) => number | undefined) => dbs.map(pick).find((id) => id !== undefined);
    return {
      db: (id) => this.#dbs.get(id)?.targetId,
      field: (id) => find((c) => c.fields.get(id)),
      record: (id) => find((c) => c.records.get(id)?.id),
    };
  }

  /** Undoes a move that failed before its end: the target forgets the copy (and the owner, if it got that far). */
  async discard(): Promise<void> {
    await purgeDatabases(this.target, [...this.#dbs.values()].map((c) => c.targetId));
    await this.target.run('DELETE FROM users WHERE login = ?', [this.login]);
    await this.target.run('DELETE FROM shared_with_me WHERE login = ?', [this.login]);
  }
}

/** Inserts a whole row (columns as the row has them); returns its new id, if the table numbers rows. */
export async function insertRow(store: Store, table: string, row: Row): Promise<number> {
  const columns = Object.keys(row);
  return (await store.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${inList(columns.length)})`, columns.map((c) => row[c] as SqlValue))).lastId;
}

async function insertRows(store: Store, table: string, rows: readonly Row[]): Promise<void> {
  for (const row of rows) await insertRow(store, table, row);
}

const ownedRows = (t: OwnedTable) => `${t.owner} = ?${t.where ? ` AND (${t.where})` : ''}`;
const CELL_IDS = new Set<string>(['db', 'field', 'record'] satisfies (keyof IdMaps)[]);

function renumber(row: Row, t: OwnedTable, ids: MovedIds): Row {
  const out: Row = { ...row };
  if (t.id) delete out[t.id];
  for (const [column, ref] of Object.entries(t.refs ?? {})) {
    if (out[column] === null) continue;
    const old = Number(out[column]);
    out[column] = (CELL_IDS.has(ref) ? ids[ref as keyof IdMaps](old) : ids.table(ref).get(old)) ?? null;
  }
  return out;
}

/** The tables listed in OWNED_TABLES, as one part: rows copied whole, the `refs` columns renumbered. */
const OWNED_TABLES_PART: MovingPart<{ t: OwnedTable; rows: Row[] }[]> = {
  async read(from, login, lock) {
    const owned: { t: OwnedTable; rows: Row[] }[] = [];
    for (const t of inMoveOrder(OWNED_TABLES)) owned.push({ t, rows: await from.all(`SELECT * FROM ${t.table} WHERE ${ownedRows(t)}${lock}`, [login]) });
    return owned;
  },
  async write(to, owned, ids) {
    for (const { t, rows } of owned) {
      for (const row of rows) {
        const lastId = await insertRow(to, t.table, renumber(row, t, ids));
        if (t.id) ids.table(t.table).set(Number(row[t.id]), lastId);
      }
    }
  },
  async remove(from, login) {
    for (const t of OWNED_TABLES) await from.run(`DELETE FROM ${t.table} WHERE ${ownedRows(t)}`, [login]);
  },
};

/**
 * Every part that moves with an owner, in order (a part may use the ids of the parts before it).
 * A feature whose rows a few columns describe lists them in OWNED_TABLES; one that must do more on
 * the way (mail and sync seal their passwords again with the target cell's key: core/mail/move.ts,
 * core/sync/move.ts) appends a part.
 */
export const MOVING_PARTS: MovingPart[] = [OWNED_TABLES_PART];

/** Deletes databases with everything in them: a moved owner's bulk on the source, or a copy given up. */
export async function purgeDatabases(store: Store, dbIds: readonly number[]): Promise<void> {
  for (const dbId of dbIds) {
    for (const { id } of await store.all<{ id: number }>('SELECT id FROM fields WHERE db_id = ?', [dbId])) {
      await store.run('DELETE FROM field_grams WHERE field_id = ?', [id]);
      await store.run('DELETE FROM field_values WHERE field_id = ?', [id]);
    }
    await store.run('DELETE FROM records WHERE db_id = ?', [dbId]);
    await store.run('DELETE FROM fields WHERE db_id = ?', [dbId]);
    await store.run('DELETE FROM permissions WHERE db_id = ?', [dbId]);
    await store.run('DELETE FROM dbs WHERE id = ?', [dbId]);
  }
}
