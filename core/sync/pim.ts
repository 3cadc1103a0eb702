// The Contacts and Calendar databases of a user: ordinary cell databases with fixed fields, created
// on first use, read and written as vCard / iCalendar items through the cell (which checks every
// right itself). What an item carries beyond the fixed fields is kept (sync_extras) and given back.
import { createHash } from 'node:crypto';
import type { Actor, Cell } from '../cell/cell.ts';
import type { Field, Value } from '../cell/fields.ts';
import { readInput, type RecordInput } from '../cell/records.ts';
import type { SqlValue } from '../store/store.ts';
import { invalid } from '../errors.ts';
import { syncTables } from './tables.ts';

/** What the format module gives for one datastore: its fixed fields and the conversion both ways. */
export interface PimCodec {
  /** The database's name and fixed fields, in display order. */
  dbName: string;
  fields: readonly { name: string; type: 'text' | 'date' | 'number' | 'checkbox' }[];
  /** Content types exchanged, the preferred (and stored) one first. */
  types: readonly { type: string; version: string }[];
  /** The fixed fields of an item; throws on an item it cannot read. */
  decode(text: string, type: string): { values: Record<string, string> };
  encode(item: PimItem, type: string): string;
}

/**
 * An item in the terms of the fixed fields: values by field name, and the item as last received
 * (`base`), from which the format module gives back every property no field holds.
 */
export interface PimItem {
  values: Record<string, string>;
  base?: string;
}

/** An item read from a partner: decoded, with the digests the same content has when stored. */
export interface IncomingItem extends PimItem {
  digest: string;
  match: string;
}

// Lines a client rewrites on every write: they do not make an item different.
const VOLATILE = /^(REV|PRODID|DTSTAMP|LAST-MODIFIED)[;:]/i;

const hash = (value: unknown) => createHash('sha1').update(JSON.stringify(value)).digest('base64url');
const sortedValues = (item: PimItem) => Object.entries(item.values).filter(([, v]) => v !== '').sort(([a], [b]) => (a < b ? -1 : 1));

/** What identifies the same entry from two sources (a slow sync's match): the fixed fields. */
export function matchOf(item: PimItem): string {
  return hash(sortedValues(item));
}

/** What changes when an item changes: the fixed fields and the properties kept beside them. */
export function digestOf(item: PimItem): string {
  const lines = (item.base ?? '').split(/\r\n?|\n/).filter((line) => line !== '' && !VOLATILE.test(line));
  return hash([sortedValues(item), lines]);
}

type Row = { id: number; data: string; base: string | null };

/** One user's database for one codec, as the sync engine sees it. */
export class PimStore {
  readonly codec: PimCodec;
  readonly cell: Cell;
  readonly actor: Actor;
  readonly dbId: number;
  readonly #fieldIds: Map<string, number>;
  readonly #fields: Field[];

  private constructor(cell: Cell, actor: Actor, codec: PimCodec, dbId: number, fields: Field[]) {
    this.cell = cell;
    this.actor = actor;
    this.codec = codec;
    this.dbId = dbId;
    this.#fields = fields;
    this.#fieldIds = new Map(fields.map((f) => [f.name, f.id]));
  }

  /** The user's database for this codec, created (or completed with missing fields) on first use. */
  static async open(cell: Cell, actor: Actor, codec: PimCodec): Promise<PimStore> {
    await syncTables(cell.store);
    const own = await cell.ownDatabases(actor);
    const dbId = own.find((d) => d.name === codec.dbName)?.id ?? (await cell.createDatabase(actor, codec.dbName));
    const db = await cell.access(actor, dbId, 'write');
    const fields = [...db.fields];
    for (const spec of codec.fields) {
      if (!fields.some((f) => f.name === spec.name)) fields.push(await cell.addField(actor, dbId, spec));
    }
    return new PimStore(cell, actor, codec, dbId, fields);
  }

  /** Reads an item a partner sent, in its content type. */
  decode(text: string, type: string): IncomingItem {
    if (!this.accepts(type)) throw invalid(`${this.codec.dbName} does not take ${type}.`);
    const decoded = this.codec.decode(text, type);
    const item = { values: this.known(decoded.values), base: text };
    // Checked here, item by item, as the record form would: one bad value never fails a batch.
    readInput(this.#fields, this.input(item.values));
    return { ...item, digest: digestOf(item), match: matchOf(item) };
  }

  accepts(type: string): boolean {
    return this.codec.types.some((t) => t.type === type);
  }

  /** Every record with the digests of its content now. */
  async digests(): Promise<Map<number, { digest: string; match: string }>> {
    const rows = await this.rows();
    return new Map(
      rows.map((r) => {
        const item = this.itemOf(r);
        return [Number(r.id), { digest: digestOf(item), match: matchOf(item) }];
      }),
    );
  }

  /** Records by id, as items. */
  async items(ids: readonly number[]): Promise<Map<number, PimItem>> {
    const rows = await this.rows(ids);
    return new Map(rows.map((r) => [Number(r.id), this.itemOf(r)]));
  }

  async add(items: readonly PimItem[]): Promise<number[]> {
    if (items.length === 0) return [];
    const ids = await this.cell.importRecords(this.actor, this.dbId, items.map((i) => this.input(i.values)));
    await this.keepBases(ids.map((id, i) => [id, items[i].base]));
    return ids;
  }

  async replace(id: number, item: PimItem): Promise<void> {
    await this.cell.updateRecord(this.actor, this.dbId, id, this.input(item.values, true));
    await this.keepBases([[id, item.base]]);
  }

  async remove(id: number): Promise<void> {
    await this.cell.deleteRecord(this.actor, this.dbId, id);
    await this.cell.store.run('DELETE FROM sync_extras WHERE record_id = ?', [id]);
  }

  private async rows(ids?: readonly number[]): Promise<Row[]> {
    await this.cell.access(this.actor, this.dbId);
    const where = ids ? `AND r.id IN (${ids.map(() => '?').join(',') || 'NULL'})` : '';
    return this.cell.store.all<Row>(
      `SELECT r.id, r.data, e.base FROM records r LEFT JOIN sync_extras e ON e.record_id = r.id WHERE r.db_id = ? ${where} ORDER BY r.id`,
      [this.dbId, ...((ids ?? []) as SqlValue[])],
    );
  }

  private itemOf(row: Row): PimItem {
    const data = JSON.parse(row.data) as Record<string, Value>;
    const values: Record<string, string> = {};
    for (const [name, id] of this.#fieldIds) {
      const v = data[id];
      // An unticked checkbox is stored as false: as an item's field, it is simply absent.
      if (v !== undefined && v !== false) values[name] = v === true ? 'yes' : String(v);
    }
    return { values, base: row.base ?? undefined };
  }

  /** The fixed fields as the cell stores them (line ends and outer blanks as a form's); others are not ours to store. */
  private known(values: Record<string, string>): Record<string, string> {
    const stored = this.codec.fields.map((f) => [f.name, (values[f.name] ?? '').replace(/\r\n?/g, '\n').trim()]);
    return Object.fromEntries(stored.filter(([, v]) => v !== ''));
  }

  /** The form input of an item; on replace, every fixed field is given so that cleared ones clear. */
  private input(values: Record<string, string>, complete = false): RecordInput {
    const input: RecordInput = {};
    for (const f of this.codec.fields) {
      const v = values[f.name];
      if (v !== undefined || complete) input[String(this.#fieldIds.get(f.name))] = v ?? '';
    }
    return input;
  }

  private async keepBases(entries: [number, string | undefined][]): Promise<void> {
    await this.cell.store.transaction(async (tx) => {
      for (const [id, base] of entries) {
        await tx.run('DELETE FROM sync_extras WHERE record_id = ?', [id]);
        if (base) await tx.run('INSERT INTO sync_extras (record_id, db_id, base) VALUES (?, ?, ?)', [id, this.dbId, base]);
      }
    });
  }
}
