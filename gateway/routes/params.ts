// Reading route and query parameters that name things: a malformed one is a 404, never a crash.
import type { DbRef } from '../../core/portal.ts';
import { PageError } from '../errors.ts';

const ID = /^[1-9]\d{0,15}$/;
const CELL = /^[a-z0-9_]{1,16}$/;

export function idParam(raw: string | undefined): number {
  if (!raw || !ID.test(raw)) throw new PageError(404, 'There is no such page.');
  return Number(raw);
}

export function dbParam(params: Record<string, string>): DbRef {
  if (!CELL.test(params.cell ?? '')) throw new PageError(404, 'There is no such database.');
  return { cellId: params.cell, dbId: idParam(params.db) };
}

/** A page offset from `?from=`: anything odd means the first page. */
export function offsetParam(raw: string | undefined): number {
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 && n < 1e9 ? n : 0;
}
