// One cell: the users it hosts, their databases, records and permissions, over that cell's own store.
// Every read and write of a database goes through `access`, the database manager's permission check.
import { LRUCache } from 'lru-cache';
import type { Store } from '../store/store.ts';
import { DuplicateKeyError } from '../store/store.ts';
import { migrate } from '../store/migrate.ts';
import { cellKey, Verifier, Voucher } from './vouch.ts';
import { CoreError, conflict, forbidden, invalid, notFound } from '../errors.ts';
import { CELL_MIGRATIONS } from './schema.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { ALARM_EVENTS, COMPARISONS, FIELD_TYPES, checkName, valueKind, type AlarmSpec, type Field, type FieldOptions, type FieldType } from './fields.ts';
import { backfillGrams, emptyValues, touchDb, findRecord, insertRecords, pageRecords, readInput, recordsById, removeRecord, replaceRecord, type RecordInput, type StoredRecord } from './records.ts';
import { searchIds, type Query } from './search.ts';
import { CellAlarms } from '../alarms/alarms.ts';
import { Planner } from '../planner/planner.ts';

/** Who is asking: a login and the cell that authenticated it. */
export interface Actor {
  login: string;
  cellId: string;
  /** On another cell than their own: their cell's signed word for who they are (see vouch.ts). */
  assertion?: string;
  /** Locked databases opened in this session (`<cell>:<db>`). */
  unlocked?: readonly string[];
}

export type Access = 'read' | 'write';
export type Right = 'owner' | Access;

export interface User {
  login: string;
  name: string;
  language: string;
  cellId: string;
}

export interface Database {
  cellId: string;
  id: number;
  name: string;
  owner: string;
  recordCount: number;
  fields: Field[];
  /** The asking user's right on it. */
  right: Right;
  /** Changes whenever its fields or any of its records change. */
  version: string;
  /** In its owner's locker (then it is never shared). */
  locked: boolean;
}

export interface SharedEntry {
  ownerCell: string;
  dbId: number;
  owner: string;
  name: string;
  right: Access;
}

export interface Page<T> {
  items: T[];
  more: boolean;
}

export interface NewField {
  name: string;
  type: string;
  /** Comma-separated choices, for a choice field. */
  choices?: string;
  /** For an alarm field: the watched field's name ('' for a date alarm), the comparison, the event. */
  watch?: string;
  op?: string;
  event?: string;
}

type DbRow = { id: number; owner: string; name: string; record_count: number };
type FieldRow = { id: number; name: string; type: string; position: number; options: string };

const canWrite = (right: Right) => right !== 'read';

export class Cell {
  readonly id: string;
  readonly store: Store;
  /** The key others check this cell's assertions with (the portal publishes it in the dispatch). */
  readonly publicPem: string;
  readonly #voucher: Voucher;
  readonly #verifier: Verifier;
  /** Field lists by database, with the fields_version they were read at. */
  readonly #fields = new LRUCache<number, { version: number; fields: Field[] }>({ max: 10_000 });
  /** Its users' alarms (kept in step with every record write) and planners: core/alarms, core/planner. */
  alarms!: CellAlarms;
  planner!: Planner;

  private constructor(id: string, store: Store, publicPem: string, voucher: Voucher, verifier: Verifier) {
    this.id = id;
    this.store = store;
    this.publicPem = publicPem;
    this.#voucher = voucher;
    this.#verifier = verifier;
  }

  /** Opens a cell over its store; `publicKeyOf` finds other cells' keys (in the dispatch). */
  static async open(id: string, store: Store, publicKeyOf: (cellId: string) => Promise<string | undefined>): Promise<Cell> {
    await migrate(store, 'cell', CELL_MIGRATIONS);
    // Values stored before the trigram index existed get their trigrams before the first search.
    await backfillGrams(store);
    const { privateKey, publicPem } = await cellKey(store);
    const cell = new Cell(id, store, publicPem, new Voucher(id, privateKey), new Verifier(id, publicKeyOf));
    cell.alarms = await CellAlarms.open(id, store);
    cell.planner = await Planner.open(id, store);
    return cell;
  }

  /** This cell's assertion that its user `login` is acting on cell `audience`. */
  vouch(login: string, audience: string): string {
    return this.#voucher.vouch(login, audience);
  }

  // Owner authentication ----------------------------------------------------

  async createUser(login: string, password: string, name: string, language = 'en'): Promise<User> {
    const hash = await hashPassword(password);
    try {
      await this.store.run('INSERT INTO users (login, password_hash, name, language, created_at) VALUES (?, ?, ?, ?, ?)', [login, hash, name, language, Date.now()]);
    } catch (err) {
      if (err instanceof DuplicateKeyError) throw conflict(`The login "${login}" is taken.`, 'login');
      throw err;
    }
    return { login, name, language, cellId: this.id };
  }

  /** The second step of login: the password is checked here, on the user's own cell. */
  async authenticate(login: string, password: string): Promise<User> {
    const row = await this.store.get<{ password_hash: string; name: string; language: string }>('SELECT password_hash, name, language FROM users WHERE login = ?', [login]);
    if (!row || !(await verifyPassword(password, row.password_hash))) throw new CoreError('bad-password', 'Wrong password. Try again.', 'password');
    return { login, name: row.name, language: row.language, cellId: this.id };
  }

  async user(login: string): Promise<User | undefined> {
    const row = await this.store.get<{ name: string; language: string }>('SELECT name, language FROM users WHERE login = ?', [login]);
    return row && { login, name: row.name, language: row.language, cellId: this.id };
  }

  async userCount(): Promise<number> {
    const row = await this.store.get<{ n: number }>('SELECT COUNT(*) AS n FROM users');
    return Number(row?.n ?? 0);
  }

  // The database manager ---------------------------------------------------

  /** The database with the actor's right on it, or an error when it is missing or not theirs to see. */
  async access(actor: Actor, dbId: number, need: Access = 'read'): Promise<Database> {
    // A user of another cell is taken at their own cell's signed word, checked here.
    if (actor.cellId !== this.id) {
      const claim = await this.#verifier.verify(actor.assertion);
      if (claim.sub !== actor.login || claim.iss !== actor.cellId) throw forbidden('Your cell could not vouch for you here. Log in again.');
    }
    // One read answers existence, ownership, the permission and the freshness of the cached fields.
    const row = await this.store.get<DbRow & { fields_version: number; data_version: number; locked: number; access: string | null }>(
      'SELECT d.id, d.owner, d.name, d.record_count, d.fields_version, d.data_version, d.locked, p.access FROM dbs d LEFT JOIN permissions p ON p.db_id = d.id AND p.grantee = ? WHERE d.id = ?',
      [actor.login, dbId],
    );
    if (!row) throw notFound('This database does not exist.');
    const right: Right | null = row.owner === actor.login ? 'owner' : (row.access as Access | null);
    if (!right) throw forbidden('This database is not shared with you.');
    if (Number(row.locked) && !actor.unlocked?.includes(`${this.id}:${dbId}`)) {
      throw new CoreError('locked', 'This database is in your locker: type your locker password to open it.');
    }
    if (need === 'write' && !canWrite(right)) throw forbidden('You may read this database but not change it.');
    const fields = await this.fields(dbId, Number(row.fields_version));
    const version = `${row.fields_version}.${row.data_version}`;
    return { cellId: this.id, id: Number(row.id), name: row.name, owner: row.owner, recordCount: Number(row.record_count), fields, right, version, locked: Boolean(Number(row.locked)) };
  }

  private async fields(dbId: number, version: number): Promise<Field[]> {
    const cached = this.#fields.get(dbId);
    if (cached?.version === version) return cached.fields;
    const rows = await this.store.all<FieldRow>('SELECT id, name, type, position, options FROM fields WHERE db_id = ? ORDER BY position, id', [dbId]);
    const fields = rows.map((r) => ({ id: Number(r.id), name: r.name, type: r.type as FieldType, position: Number(r.position), options: JSON.parse(r.options) }));
    this.#fields.set(dbId, { version, fields });
    return fields;
  }

  async ownDatabases(actor: Actor): Promise<{ id: number; name: string; recordCount: number; locked: boolean }[]> {
    this.mustHost(actor);
    const rows = await this.store.all<DbRow & { locked: number }>('SELECT id, name, record_count, locked FROM dbs WHERE owner = ? ORDER BY name, id', [actor.login]);
    return rows.map((r) => ({ id: Number(r.id), name: r.name, recordCount: Number(r.record_count), locked: Boolean(Number(r.locked)) }));
  }

  async createDatabase(actor: Actor, rawName: string): Promise<number> {
    this.mustHost(actor);
    const name = checkName(rawName, 'The name of a database');
    try {
      const { lastId } = await this.store.run('INSERT INTO dbs (owner, name, created_at) VALUES (?, ?, ?)', [actor.login, name, Date.now()]);
      return lastId;
    } catch (err) {
      if (err instanceof DuplicateKeyError) throw conflict(`You already have a database called "${name}".`, 'name');
      throw err;
    }
  }

  async addField(actor: Actor, dbId: number, spec: NewField): Promise<Field> {
    const db = await this.access(actor, dbId);
    if (db.right !== 'owner') throw forbidden('Only the owner can change the fields of a database.');
    const name = checkName(spec.name, 'The name of a field');
    const type = spec.type as FieldType;
    if (!FIELD_TYPES.includes(type)) throw invalid('Choose a field type.', 'type');
    const options = fieldOptions(type, spec, db.fields);
    const position = db.fields.reduce((max, f) => Math.max(max, f.position), 0) + 1;
    try {
      return await this.store.transaction(async (tx) => {
        const { lastId } = await tx.run('INSERT INTO fields (db_id, position, name, type, options) VALUES (?, ?, ?, ?, ?)', [dbId, position, name, type, JSON.stringify(options)]);
        await touchDb(tx, 'fields_version = fields_version + 1', [], dbId);
        await emptyValues(tx, dbId, lastId, type);
        return { id: lastId, name, type, position, options };
      });
    } catch (err) {
      if (err instanceof DuplicateKeyError) throw conflict(`There is already a field called "${name}".`, 'name');
      throw err;
    }
  }

  /**
   * Changes what an alarm field watches, how it compares and what it does. Its limits stay, so the
   * watched value must be of the same kind; every record's watch is brought up to date.
   */
  async setAlarm(actor: Actor, dbId: number, fieldId: number, spec: Pick<NewField, 'watch' | 'op' | 'event'>): Promise<Field> {
    const before = await this.access(actor, dbId);
    if (before.right !== 'owner') throw forbidden('Only the owner can change the fields of a database.');
    const field = before.fields.find((f) => f.id === fieldId && f.type === 'alarm');
    if (!field) throw notFound('This alarm field does not exist.');
    const options = fieldOptions('alarm', spec as NewField, before.fields);
    const changed = { ...field, options };
    if (valueKind(changed, before.fields) !== valueKind(field, before.fields)) throw invalid('The limits of this alarm are of another kind: add a new alarm field to watch that.', 'watch');
    // The new setting and every record's watch under it commit together.
    const db = { ...before, fields: before.fields.map((f) => (f.id === fieldId ? changed : f)) };
    await this.store.transaction(async (tx) => {
      await tx.run('UPDATE fields SET options = ? WHERE id = ?', [JSON.stringify(options), fieldId]);
      await touchDb(tx, 'fields_version = fields_version + 1', [], dbId);
      for (let offset = 0, more = true; more; offset += 500) {
        const page = await pageRecords(tx, dbId, offset, 500);
        await this.alarms.recordsWritten(tx, db, page.records);
        more = page.more;
      }
    });
    return changed;
  }

  // Records ------------------------------------------------------------------

  async records(actor: Actor, dbId: number, offset: number, limit: number): Promise<{ db: Database } & Page<StoredRecord>> {
    const db = await this.access(actor, dbId);
    const { records, more } = await pageRecords(this.store, dbId, offset, limit);
    return { db, items: records, more };
  }

  async record(actor: Actor, dbId: number, recordId: number): Promise<{ db: Database; record: StoredRecord }> {
    const db = await this.access(actor, dbId);
    return { db, record: await this.mustFind(dbId, recordId) };
  }

  async createRecord(actor: Actor, dbId: number, input: RecordInput): Promise<number> {
    const db = await this.access(actor, dbId, 'write');
    const values = readInput(db.fields, input);
    const [id] = await insertRecords(this.store, dbId, db.fields, [values], (tx, [id]) => this.alarms.recordsWritten(tx, db, [{ id, values }]));
    return id;
  }

  /** Adds many records in one go (an import); every value is checked first, so a bad one adds nothing. */
  async importRecords(actor: Actor, dbId: number, inputs: readonly RecordInput[]): Promise<number[]> {
    const db = await this.access(actor, dbId, 'write');
    const batch = inputs.map((input) => readInput(db.fields, input));
    return insertRecords(this.store, dbId, db.fields, batch, (tx, ids) => this.alarms.recordsWritten(tx, db, ids.map((id, i) => ({ id, values: batch[i] }))));
  }

  async updateRecord(actor: Actor, dbId: number, recordId: number, input: RecordInput): Promise<void> {
    const db = await this.access(actor, dbId, 'write');
    const record = await this.mustFind(dbId, recordId);
    const values = readInput(db.fields, input, record.values);
    await replaceRecord(this.store, dbId, recordId, db.fields, values, (tx) => this.alarms.recordsWritten(tx, db, [{ id: recordId, values }]));
  }

  async deleteRecord(actor: Actor, dbId: number, recordId: number): Promise<void> {
    const db = await this.access(actor, dbId, 'write');
    await this.mustFind(dbId, recordId);
    await removeRecord(this.store, dbId, recordId, (tx) => this.alarms.recordsRemoved(tx, db, [recordId]));
  }

  async search(actor: Actor, dbId: number, query: Query, offset: number, limit: number): Promise<{ db: Database } & Page<StoredRecord>> {
    const db = await this.access(actor, dbId);
    const { ids, more } = await searchIds(this.store, db.fields, query, offset, limit);
    return { db, items: await recordsById(this.store, ids), more };
  }

  // The permission database ----------------------------------------------------

  async grant(actor: Actor, dbId: number, grantee: Actor, access: Access): Promise<Database> {
    const db = await this.access(actor, dbId);
    if (db.right !== 'owner') throw forbidden('Only the owner can share a database.');
    if (db.locked) throw conflict('This database is in your locker: take it out of the locker before sharing it.');
    if (grantee.login === actor.login) throw invalid('You own this database already.', 'login');
    await this.store.transaction(async (tx) => {
      await tx.run('DELETE FROM permissions WHERE db_id = ? AND grantee = ?', [dbId, grantee.login]);
      await tx.run('INSERT INTO permissions (db_id, grantee, grantee_cell, access) VALUES (?, ?, ?, ?)', [dbId, grantee.login, grantee.cellId, access]);
    });
    return db;
  }

  async revoke(actor: Actor, dbId: number, grantee: string): Promise<void> {
    const db = await this.access(actor, dbId);
    if (db.right !== 'owner') throw forbidden('Only the owner can stop sharing a database.');
    await this.store.run('DELETE FROM permissions WHERE db_id = ? AND grantee = ?', [dbId, grantee]);
  }

  /** Keeps this cell's list of what is shared with one of its users in step with the owner's cell. */
  async noteShared(login: string, entry: SharedEntry | { ownerCell: string; dbId: number; right: null }): Promise<void> {
    await this.store.transaction(async (tx) => {
      await tx.run('DELETE FROM shared_with_me WHERE login = ? AND owner_cell = ? AND db_id = ?', [login, entry.ownerCell, entry.dbId]);
      if (entry.right) {
        const e = entry as SharedEntry;
        await tx.run('INSERT INTO shared_with_me (login, owner_cell, db_id, owner, db_name, access) VALUES (?, ?, ?, ?, ?, ?)', [login, e.ownerCell, e.dbId, e.owner, e.name, e.right]);
      }
    });
  }

  async sharedWith(actor: Actor): Promise<SharedEntry[]> {
    this.mustHost(actor);
    const rows = await this.store.all<{ owner_cell: string; db_id: number; owner: string; db_name: string; access: string }>(
      'SELECT owner_cell, db_id, owner, db_name, access FROM shared_with_me WHERE login = ? ORDER BY db_name, owner',
      [actor.login],
    );
    return rows.map((r) => ({ ownerCell: r.owner_cell, dbId: Number(r.db_id), owner: r.owner, name: r.db_name, right: r.access as Access }));
  }

  /** Who a database is shared with, and how: for its owner. */
  async shares(actor: Actor, dbId: number): Promise<{ login: string; right: Access }[]> {
    const db = await this.access(actor, dbId);
    if (db.right !== 'owner') throw forbidden('Only the owner sees who a database is shared with.');
    const rows = await this.store.all<{ grantee: string; access: string }>('SELECT grantee, access FROM permissions WHERE db_id = ? ORDER BY grantee', [dbId]);
    return rows.map((r) => ({ login: r.grantee, right: r.access as Access }));
  }

  // The locker (seed 000, paragraph 95) ------------------------------------------

  async hasLocker(actor: Actor): Promise<boolean> {
    this.mustHost(actor);
    const row = await this.store.get<{ locker_hash: string | null }>('SELECT locker_hash FROM users WHERE login = ?', [actor.login]);
    return Boolean(row?.locker_hash);
  }

  /** Creates the locker password, or changes it given the current one. It is stored hashed and never shown again. */
  async setLocker(actor: Actor, password: string, current = ''): Promise<void> {
    if (password.length < 4) throw invalid('A locker password has at least 4 characters.', 'password');
    if (await this.hasLocker(actor)) await this.checkLocker(actor, current);
    await this.store.run('UPDATE users SET locker_hash = ? WHERE login = ?', [await hashPassword(password), actor.login]);
  }

  /** Throws unless `password` is the actor's locker password. */
  async checkLocker(actor: Actor, password: string): Promise<void> {
    this.mustHost(actor);
    const row = await this.store.get<{ locker_hash: string | null }>('SELECT locker_hash FROM users WHERE login = ?', [actor.login]);
    if (!row?.locker_hash) throw invalid('Create a locker password first.', 'password');
    if (!(await verifyPassword(password, row.locker_hash))) throw new CoreError('bad-password', 'Wrong locker password.', 'password');
  }

  /** Puts a database that is not shared into the locker. */
  async lock(actor: Actor, dbId: number): Promise<void> {
    const db = await this.access(actor, dbId);
    if (db.right !== 'owner') throw forbidden('Only the owner can put a database in the locker.');
    if (!(await this.hasLocker(actor))) throw invalid('Create a locker password first.', 'password');
    if ((await this.shares(actor, dbId)).length > 0) throw conflict('This database is shared: stop sharing it before putting it in the locker.');
    await this.store.run('UPDATE dbs SET locked = 1, data_version = data_version + 1 WHERE id = ?', [dbId]);
  }

  /** Takes a database out of the locker; it must be open in this session. */
  async unlockForGood(actor: Actor, dbId: number): Promise<void> {
    const db = await this.access(actor, dbId);
    if (db.right !== 'owner') throw forbidden('Only the owner can take a database out of the locker.');
    await this.store.run('UPDATE dbs SET locked = 0, data_version = data_version + 1 WHERE id = ?', [dbId]);
  }

  private mustHost(actor: Actor) {
    if (actor.cellId !== this.id) throw forbidden('This cell does not host you.');
  }

  private async mustFind(dbId: number, recordId: number): Promise<StoredRecord> {
    const record = await findRecord(this.store, dbId, recordId);
    if (!record) throw notFound('This record does not exist (it may have been deleted).');
    return record;
  }
}

function fieldOptions(type: FieldType, spec: NewField, existing: readonly Field[]): FieldOptions {
  if (type === 'choice') {
    const choices = [...new Set((spec.choices ?? '').split(',').map((c) => c.trim()).filter(Boolean))];
    if (choices.length < 2) throw invalid('A choice field needs at least two choices, separated by commas.', 'choices');
    return { choices: choices.map((c) => checkName(c, 'A choice')) };
  }
  if (type === 'alarm') {
    const watch = (spec.watch ?? '').trim() || null;
    const watched = watch === null ? undefined : existing.find((f) => f.name === watch);
    if (watch !== null && (!watched || (watched.type !== 'number' && watched.type !== 'date'))) {
      throw invalid('An alarm watches a number or date field of this database, or the date.', 'watch');
    }
    const op = (spec.op || (watch === null ? 'ge' : 'lt')) as AlarmSpec['op'];
    if (!COMPARISONS.includes(op) || ['contains', 'starts', 'empty', 'notempty'].includes(op)) throw invalid('Choose a comparison for the alarm.', 'op');
    const event = (spec.event || 'login') as AlarmSpec['event'];
    if (!ALARM_EVENTS.includes(event)) throw invalid('Choose what the alarm does.', 'event');
    return { alarm: { watch, op, event } };
  }
  return {};
}
