// The sync modes of seed 001, offered to users by name, and the SyncML sync type each one runs as
// when we sync with a remote portal (we are its client: "ours to theirs" is from the client).
import { SYNC, type SyncType } from './engine.ts';

export interface SyncModeSpec {
  label: string;
  /** For option lists on small screens. */
  short: string;
  /** The alert code we send; a two-way sync with no history yet runs slow (201). */
  code: SyncType;
  /** A one-way merge may leave deletions out. */
  deletions: boolean;
}

export const MODES = {
  'two-way': { label: 'Two-way (slow the first time)', short: 'Two-way', code: SYNC.twoWay, deletions: true },
  'merge-out': { label: 'One-way merge, ours to the portal', short: 'Merge to it', code: SYNC.oneWayFromClient, deletions: true },
  'merge-out-keep': { label: 'One-way merge, ours to the portal, no deletions', short: 'Merge to it, keep', code: SYNC.oneWayFromClient, deletions: false },
  'merge-in': { label: 'One-way merge, the portal to ours', short: 'Merge from it', code: SYNC.oneWayFromServer, deletions: true },
  'merge-in-keep': { label: 'One-way merge, the portal to ours, no deletions', short: 'Merge from it, keep', code: SYNC.oneWayFromServer, deletions: false },
  'replace-out': { label: 'One-way replace: the portal becomes a copy of ours', short: 'Replace it', code: SYNC.refreshFromClient, deletions: true },
  'replace-in': { label: 'One-way replace: ours becomes a copy of the portal', short: 'Replace ours', code: SYNC.refreshFromServer, deletions: true },
} as const satisfies Record<string, SyncModeSpec>;

export type ModeName = keyof typeof MODES;
export const MODE_NAMES = Object.keys(MODES) as ModeName[];

/** The alert a client sends for a mode: normal types need a history, else the first sync is slow. */
export function alertFor(mode: ModeName, hasHistory: boolean): SyncType {
  const { code } = MODES[mode];
  return hasHistory || code === SYNC.refreshFromClient || code === SYNC.refreshFromServer ? code : SYNC.slow;
}

/** The one direction a one-way merge carries when it runs slow (SyncML has no slow one-way type). */
export function slowDirection(mode: ModeName): 'send' | 'receive' | undefined {
  const { code } = MODES[mode];
  return code === SYNC.oneWayFromClient ? 'send' : code === SYNC.oneWayFromServer ? 'receive' : undefined;
}
