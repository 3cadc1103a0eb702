// Slow sync of N contacts from a SyncEvolution client: our server against syncevo-http-server on
// the same data in the same run, and the bytes on the wire with XML and with WBXML (ours).
import { cpSync } from 'node:fs';

import { startGateway } from '../support/client.ts';
import { closeTestPortals } from '../support/system.ts';
import { SyncEvolutionClient, labDir, removeLabDirs, vcard, type SyncRun } from '../support/syncevolution.ts';
import { PeerServer } from '../support/peer.ts';
import { Cutter } from '../support/cutter.ts';
import { namesOf } from '../support/contacts.ts';

export interface SyncBench {
  contacts: number;
  oursXml: { seconds: number; up: number; down: number };
  oursWbxml: { seconds: number; up: number; down: number };
  peer: { seconds: number };
}

function contactsDir(n: number): string {
  const dir = labDir(`bench-${n}`);
  const writer = new SyncEvolutionClient('http://unused', 'x', 'x', 'bench-writer');
  for (let i = 0; i < n; i++) {
    writer.write(`c${i}.vcf`, vcard(`Given${i}`, `Family${i % 97}`, `TEL;TYPE=CELL:+41-79-${String(i).padStart(7, '0')}`, `EMAIL;TYPE=INTERNET:person${i}@example.org`, 'ORG:Example AG'));
  }
  cpSync(writer.data, dir, { recursive: true });
  return dir;
}

async function timed(client: SyncEvolutionClient, env: Record<string, string>, timeout: number): Promise<{ seconds: number; run: SyncRun }> {
  const start = performance.now();
  const run = await client.sync('slow', { env, timeout });
  const seconds = (performance.now() - start) / 1000;
  if (run.exit !== 0) throw new Error(`slow sync failed:\n${run.output}\n${client.lastRun().slice(-3000)}`);
  return { seconds, run };
}

async function ours(source: string, n: number, wbxml: boolean, timeout: number) {
  const gw = await startGateway();
  const counter = await Cutter.start(gw.base);
  try {
    const client = new SyncEvolutionClient(`http://127.0.0.1:${counter.port}/sync`, 'demo', 'demo', 'bench-ours');
    cpSync(source, client.data, { recursive: true });
    const { seconds } = await timed(client, { WBXML: wbxml ? '1' : '0', DEVICE_ID: wbxml ? 'bench-wbxml' : 'bench-xml' }, timeout);
    const stored = (await namesOf(gw.portal, 'demo')).length;
    if (stored !== n) throw new Error(`our server holds ${stored} contacts, not ${n}`);
    return { seconds, up: counter.bytesUp, down: counter.bytesDown };
  } finally {
    await counter.close();
    await gw.close();
  }
}

async function peer(source: string, n: number, timeout: number) {
  const server = await PeerServer.start('bench', 'bench', ['bench-peer'], timeout + 120);
  try {
    const client = new SyncEvolutionClient(server.url, 'bench', 'bench', 'bench-peer');
    cpSync(source, client.data, { recursive: true });
    const { seconds } = await timed(client, { DEVICE_ID: 'bench-peer' }, timeout);
    const stored = server.items().size;
    if (stored !== n) throw new Error(`syncevo-http-server holds ${stored} contacts, not ${n}`);
    return { seconds };
  } finally {
    await server.stop();
  }
}

export async function syncBench(sizes: number[]): Promise<SyncBench[]> {
  const results: SyncBench[] = [];
  try {
    for (const n of sizes) {
      const source = contactsDir(n);
      const timeout = 120 + Math.ceil(n / 10);
      // Two rounds, alternated so that neither side gets the quieter moments of a shared machine;
      // each side's better round counts.
      const best = <T extends { seconds: number }>(a: T, b: T) => (a.seconds <= b.seconds ? a : b);
      let peerRun = await peer(source, n, timeout);
      let oursXml = await ours(source, n, false, timeout);
      let oursWbxml = await ours(source, n, true, timeout);
      peerRun = best(peerRun, await peer(source, n, timeout));
      oursXml = best(oursXml, await ours(source, n, false, timeout));
      oursWbxml = best(oursWbxml, await ours(source, n, true, timeout));
      results.push({ contacts: n, oursXml, oursWbxml, peer: peerRun });
    }
  } finally {
    removeLabDirs();
    await closeTestPortals();
  }
  return results;
}

