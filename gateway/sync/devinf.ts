// Our device information (SyncML DevInf 1.1 / 1.2), given in Results to a client's Get, and what
// we read from a client's: the content type each of its datastores prefers to receive.
import { el, childrenOf, textAt, type Element } from '../../transcode/syncml/tree.ts';
import type { PimCodec } from '../../core/sync/pim.ts';

export const DEVINF_TYPE = 'application/vnd.syncml-devinf+xml';
export const devinfUri = (version: string) => (version === '1.1' ? './devinf11' : './devinf12');

/** SyncCap: two-way, slow, one-way and refresh both ways, server-alerted (SyncML sync types 1–7). */
const SYNC_CAPS = [1, 2, 3, 4, 5, 6, 7];

export function ourDevInf(version: string, serverUrl: string, datastores: readonly { uri: string; codec: PimCodec }[]): Element {
  const ct = (tag: string, t: { type: string; version: string }) => el(tag, el('CTType', t.type), el('VerCT', t.version));
  return el(
    'DevInf',
    el('VerDTD', version),
    el('Man', 'lowband-gateway'),
    el('Mod', 'SyncML server'),
    el('FwV', '0.1'),
    el('SwV', '0.1'),
    el('HwV', '0.1'),
    el('DevID', serverUrl),
    el('DevTyp', 'server'),
    el('UTC'),
    el('SupportLargeObjs'),
    el('SupportNumberOfChanges'),
    datastores.map(({ uri, codec }) =>
      el(
        'DataStore',
        el('SourceRef', uri),
        el('DisplayName', codec.dbName),
        ct('Rx-Pref', codec.types[0]),
        codec.types.slice(1).map((t) => ct('Rx', t)),
        ct('Tx-Pref', codec.types[0]),
        codec.types.slice(1).map((t) => ct('Tx', t)),
        el('SyncCap', SYNC_CAPS.map((n) => el('SyncType', n))),
      ),
    ),
  );
}

/** The content type a client's datastore (by its SourceRef, e.g. `./addressbook`) prefers to receive. */
export function preferredType(devinf: Element | undefined, sourceRef: string): string | undefined {
  const norm = (s: string) => s.replace(/^\.\//, '');
  const store = childrenOf(devinf, 'DataStore').find((d) => norm(textAt(d, 'SourceRef')) === norm(sourceRef));
  return textAt(store, 'Rx-Pref/CTType') || undefined;
}
