// What a part of a cell built on its store (its alarms, its planner) shares: the store, and the
// check that the acting user lives on this cell, since such parts hold only their own users' data.
import type { Store } from '../store/store.ts';
import { forbidden } from '../errors.ts';
import type { Actor } from './cell.ts';

export abstract class CellPart {
  protected readonly cellId: string;
  protected readonly store: Store;

  constructor(cellId: string, store: Store) {
    this.cellId = cellId;
    this.store = store;
  }

  protected mustHost(actor: Actor): void {
    if (actor.cellId !== this.cellId) throw forbidden('This cell does not host you.');
  }
}
