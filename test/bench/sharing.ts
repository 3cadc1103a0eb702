// A shared read from another cell (vouched for by the reader's own cell, checked by the owner's)
// against the owner's local read of the same page, measured side by side.
import { Portal } from '../../core/portal.ts';
import { cellKey, Verifier, Voucher } from '../../core/cell/vouch.ts';

export interface ReadCost {
  localMicros: number;
  sharedMicros: number;
  /** Issuing and checking one new assertion, which the caches spare all but about one read a minute. */
  assertionMicros: number;
}

/** Two cells, an owner on the first with a database `name`, a reader on the second. */
export async function ownerAndReader(portal: Portal, name: string) {
  await portal.addCell('c1', 10);
  await portal.addCell('c2', 10);
  const owner = await portal.register('owner', 'secret', 'Owner');
  const reader = await portal.register('reader', 'secret', 'Reader');
  return { owner, reader, ref: await portal.createDatabase(owner, name) };
}

export async function sharedReadCost(base: string, rounds = 4, reads = 2000): Promise<ReadCost> {
  const portal = await Portal.open(base);
  try {
    const { owner, reader, ref } = await ownerAndReader(portal, 'Shared');
    const f = (await portal.addField(owner, ref, { name: 'Note', type: 'text' })).id;
    await portal.importRecords(owner, ref, Array.from({ length: 100 }, (_, i) => ({ [f]: `note ${i}` })));
    await portal.share(owner, ref, 'reader', 'read');
    const time = async (actor: typeof owner) => {
      const start = performance.now();
      for (let i = 0; i < reads; i++) await portal.records(actor, ref, 0, 10);
      return ((performance.now() - start) * 1000) / reads;
    };
    await time(owner);
    await time(reader);
    let local = 0;
    let shared = 0;
    for (let r = 0; r < rounds; r++) {
      local += await time(owner);
      shared += await time(reader);
    }
    // A reader nobody vouched for yet, each time: the voucher signs anew and the verifier checks anew.
    const voucher = new Voucher('c2', (await cellKey((await portal.cell('c2')).store)).privateKey);
    const verifier = new Verifier('c1', (id) => portal.dispatch.publicKey(id));
    const start = performance.now();
    for (let i = 0; i < 200; i++) await verifier.verify(voucher.vouch(`reader${i}`, 'c1'));
    const assertionMicros = ((performance.now() - start) * 1000) / 200;
    return { localMicros: local / rounds, sharedMicros: shared / rounds, assertionMicros };
  } finally {
    await portal.close();
  }
}
