// Bytes on the wire of the recorded SyncML messages: the XML SyncEvolution sent, our WBXML of it
// with the string table and without (SyncEvolution's own WBXML has none: without it our bytes are
// its bytes), and libwbxml2's (xml2wbxml, with its string table), side by side per session.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSyncml } from '../../transcode/wbxml/syncml.ts';
import { messages } from '../support/syncml-fixtures.ts';

export interface SessionBytes {
  session: string;
  messages: number;
  xml: number;
  wbxml: number;
  /** Our WBXML with every string inline. */
  inline: number;
  /** libwbxml2's encoding, or undefined when xml2wbxml is not installed. */
  libwbxml?: number;
}

export function syncmlBytes(): SessionBytes[] {
  const dir = mkdtempSync(join(tmpdir(), 'syncml-bytes-'));
  const rows = new Map<string, SessionBytes>();
  try {
    for (const { session, body } of messages('xml')) {
      const row = rows.get(session) ?? { session, messages: 0, xml: 0, wbxml: 0, inline: 0, libwbxml: 0 };
      row.messages++;
      row.xml += body.length;
      row.wbxml += encodeSyncml(body.toString('utf8')).length;
      row.inline += encodeSyncml(body.toString('utf8'), { stringTable: false }).length;
      writeFileSync(join(dir, 'in.xml'), body);
      const run = spawnSync('xml2wbxml', ['-o', join(dir, 'out.wbxml'), join(dir, 'in.xml')]);
      if (run.error || run.status !== 0) delete row.libwbxml;
      else if (row.libwbxml !== undefined) row.libwbxml += readFileSync(join(dir, 'out.wbxml')).length;
      rows.set(session, row);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [...rows.values()];
}
