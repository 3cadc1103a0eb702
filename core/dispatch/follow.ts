// Following moved data. No cache is told of a move in another process: a request a stale cache
// (or a page rendered before the move) sends to the old cell finds the data gone, and the old
// cell's tombstones (cell/tombstone.ts) say where it went. Nothing is asked on the way that works.
import type { Cell } from '../cell/cell.ts';
import type { RecordInput } from '../cell/records.ts';
import { movedDb, movedId, type IdKind } from '../cell/tombstone.ts';
import { CoreError } from '../errors.ts';

export interface DbRef {
  cellId: string;
  dbId: number;
}

/** A read addressed a database at its old place: the caller goes on at `to` (the gateway redirects). */
export class MovedError extends CoreError {
  readonly to: DbRef;
  constructor(to: DbRef) {
    super('not-found', 'This database has moved to another cell.');
    this.to = to;
  }
}

/** Chains longer than this (moved, moved again…) are refused rather than followed for ever. */
export const MAX_HOPS = 4;

/** Where a database is now, and how the ids it had where it was addressed are numbered there. */
export interface Located {
  ref: DbRef;
  field(id: number): Promise<number>;
  record(id: number): Promise<number>;
  /** A form's values, keyed by field id, under the field ids of the new place. */
  input(input: RecordInput): Promise<RecordInput>;
}

const same = async (id: number) => id;

/** A database where it was addressed. */
export function here(ref: DbRef): Located {
  return { ref, field: same, record: same, input: async (input) => input };
}

/** Whether an error could mean "this moved": the data was not found where it was looked for. */
export function mayHaveMoved(err: unknown): boolean {
  return err instanceof CoreError && err.kind === 'not-found' && !(err instanceof MovedError);
}

/** Where `ref` moved to, with its ids translated along every hop; undefined when it did not move. */
export async function relocate(cellOf: (id: string) => Promise<Cell>, ref: DbRef): Promise<Located | undefined> {
  const hops: { cell: Cell; dbId: number }[] = [];
  let at = ref;
  for (let next; (next = await movedDb((await cellOf(at.cellId)).store, at.dbId)); at = next) {
    if (hops.length === MAX_HOPS) throw new CoreError('unavailable', 'This database moved too often to follow. Open it again from your list.');
    hops.push({ cell: await cellOf(at.cellId), dbId: at.dbId });
  }
  if (!hops.length) return undefined;
  // An id the database did not have when it moved becomes 0, which nothing has: "not found".
  const translate = (kind: IdKind) => async (id: number) => {
    let current: number | undefined = id;
    for (const hop of hops) if (current !== undefined) current = await movedId(hop.cell.store, hop.dbId, kind, current);
    return current ?? 0;
  };
  const field = translate('f');
  return {
    ref: at,
    field,
    record: translate('r'),
    input: async (input) => Object.fromEntries(await Promise.all(Object.entries(input).map(async ([k, v]) => [String(await field(Number(k))), v]))),
  };
}

/** `first`, then `second` from where `first` led: ids are translated along both. */
export function onward(first: Located, second: Located): Located {
  return {
    ref: second.ref,
    field: async (id) => second.field(await first.field(id)),
    record: async (id) => second.record(await first.record(id)),
    input: async (input) => second.input(await first.input(input)),
  };
}
