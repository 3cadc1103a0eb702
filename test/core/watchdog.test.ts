// The watchdog's rebalancing (seed 000, paragraph 64): measure each cell, choose by the seed's
// criteria, move owners of shared databases off the cells past a threshold.
import test from 'ava';
import { closeTestPortals, openSystem, openTestPortal } from '../support/system.ts';
import { measure, plan, rebalance, startWatchdog, type CellLoad, type RebalanceRules } from '../../core/dispatch/watchdog.ts';

test.after.always(closeTestPortals);

const cell = (id: string, over: Partial<CellLoad> = {}): CellLoad => ({
  id, reachable: true, requestsPerMinute: 0, sharedBytes: 0, owners: [], clients: 0, users: 1, capacity: 100, ...over,
});
const bytesRule: RebalanceRules = { maxRequestsPerMinute: 0, maxSharedBytes: 1000, windowMinutes: 5 };

test('a cell past its shared-data threshold hands the largest owner the least-loaded cell can take', (t) => {
  const hot = cell('c1', { sharedBytes: 5000, owners: [{ login: 'huge', bytes: 4000, records: 40 }, { login: 'mid', bytes: 800, records: 8 }, { login: 'small', bytes: 200, records: 2 }] });
  const busy = cell('c2', { requestsPerMinute: 900, clients: 40, sharedBytes: 100 });
  const quiet = cell('c3', { requestsPerMinute: 10, clients: 1, sharedBytes: 150 });
  const moves = plan([hot, busy, quiet], bytesRule);
  t.deepEqual(moves.map((m) => [m.login, m.from, m.to]), [['mid', 'c1', 'c3']], 'huge would make c3 the next hot cell');
  t.regex(moves[0].reason, /5000 shared bytes > 1000/);
});

test('the target is chosen by load, data size and connected clients together; full and unreachable cells never', (t) => {
  const hot = cell('c1', { requestsPerMinute: 1000, sharedBytes: 500, owners: [{ login: 'ann', bytes: 300, records: 3 }] });
  const rule: RebalanceRules = { maxRequestsPerMinute: 600, maxSharedBytes: 0, windowMinutes: 5 };
  const manyClients = cell('c2', { clients: 50 });
  const muchData = cell('c3', { sharedBytes: 400 });
  const full = cell('c4', { users: 100, capacity: 100 });
  const down = cell('c5', { reachable: false });
  const light = cell('c6', { clients: 5, sharedBytes: 40, requestsPerMinute: 50 });
  t.deepEqual(plan([hot, manyClients, muchData, full, down, light], rule).map((m) => m.to), ['c6']);
  t.deepEqual(plan([hot, manyClients, full, down], rule).map((m) => m.to), ['c2']);
  t.deepEqual(plan([hot, full, down], rule), [], 'nowhere to go');
});

test('no move that would only shift the hot spot, and none for cells within their thresholds', (t) => {
  const single = cell('c1', { sharedBytes: 5000, owners: [{ login: 'one', bytes: 5000, records: 50 }] });
  t.deepEqual(plan([single, cell('c2')], { ...bytesRule, maxRequestsPerMinute: 1, maxSharedBytes: 0 }), [], 'c1 is not hot by traffic');
  t.deepEqual(plan([cell('c1', { requestsPerMinute: 50, sharedBytes: 5000, owners: [{ login: 'one', bytes: 5000, records: 50 }] }), cell('c2')], { ...bytesRule, maxRequestsPerMinute: 10, maxSharedBytes: 0 }), []);
  t.deepEqual(plan([cell('c1', { sharedBytes: 900, owners: [{ login: 'a', bytes: 900, records: 9 }] }), cell('c2')], bytesRule), []);
  t.deepEqual(plan([cell('c1', { sharedBytes: 5000 })], { ...bytesRule, maxSharedBytes: 0 }), [], 'a threshold of 0 is off');
});

test('a round measures traffic, shared data and clients, moves an owner off the hot cell, and says so', async (t) => {
  const portal = await openTestPortal();
  await portal.addCell('c1', 100);
  await portal.addCell('c2', 100);
  const big = await portal.register('big', 'secret', 'Big');
  const reader = await portal.register('reader', 'secret', 'Reader');
  const small = await portal.register('small', 'secret', 'Small');
  t.deepEqual([big.cellId, reader.cellId, small.cellId], ['c1', 'c2', 'c1']);
  for (const [owner, count] of [[big, 200], [small, 20]] as const) {
    const ref = await portal.createDatabase(owner, 'Shared');
    const f = (await portal.addField(owner, ref, { name: 'Note', type: 'text' })).id;
    await portal.importRecords(owner, ref, Array.from({ length: count }, (_, i) => ({ [f]: `a note of some length, number ${i}` })));
    await portal.share(owner, ref, 'reader', 'read');
  }
  await portal.login('reader', 'secret');
  for (let i = 0; i < 30; i++) await portal.databases(reader);

  const loads = await measure(portal, bytesRule);
  const c1 = loads.find((c) => c.id === 'c1')!;
  const c2 = loads.find((c) => c.id === 'c2')!;
  t.deepEqual(c1.owners.map((o) => [o.login, o.records]), [['big', 200], ['small', 20]]);
  t.true(c1.sharedBytes > 5000);
  t.is(c2.sharedBytes, 0);
  t.is(c2.clients, 1);
  t.true(c2.requestsPerMinute >= 30 / 6, `c2 traffic measured: ${c2.requestsPerMinute}`);

  const lines: string[] = [];
  const moved = await rebalance(portal, { ...bytesRule, maxSharedBytes: 2000 }, (line) => lines.push(line));
  t.deepEqual(moved.map((m) => [m.login, m.from, m.to]), [['small', 'c1', 'c2']], 'big alone would make c2 the hot cell: the next largest goes');
  t.regex(lines.join('\n'), /c1: .* shared bytes/);
  t.regex(lines.join('\n'), /moving small from c1 to c2/);
  t.is(await portal.locate('small'), 'c2');
  t.deepEqual((await portal.databases(reader)).map((d) => [d.owner, d.cellId]).sort(), [['big', 'c1'], ['small', 'c2']]);

  // One watchdog at a time: a round while another holds the lease does nothing.
  await portal.dispatch.store.run('INSERT INTO watchdog_lease (id, holder, until_ms) VALUES (1, ?, ?)', ['another process', Date.now() + 60_000]);
  const quiet: string[] = [];
  t.deepEqual(await rebalance(portal, bytesRule, (line) => quiet.push(line)), []);
  t.regex(quiet.join('\n'), /another watchdog/);
});

test('the watchdog a gateway process runs every few seconds moves an owner off a cell past its threshold by itself', async (t) => {
  const { portal, users: [owner, , other] } = await openSystem({ c1: undefined, c2: undefined }, ['owner', 'reader', 'other']);
  for (const [who, name, count] of [[owner, 'Big', 60], [other, 'Small', 5]] as const) {
    const ref = await portal.createDatabase(who, name);
    const f = (await portal.addField(who, ref, { name: 'Note', type: 'text' })).id;
    await portal.importRecords(who, ref, Array.from({ length: count }, (_, i) => ({ [f]: `note ${i}` })));
    await portal.share(who, ref, 'reader', 'read');
  }
  const lines: string[] = [];
  const stopWatchdog = startWatchdog(portal, 1, { maxRequestsPerMinute: 0, maxSharedBytes: 500, windowMinutes: 1 }, (line) => lines.push(line));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && !lines.some((l) => /now lives on/.test(l))) await new Promise((resolve) => setTimeout(resolve, 200));
  await stopWatchdog();
  t.regex(lines.join('\n'), /moving other from c1 to c2/, 'the owner c2 can take without going past the threshold itself');
  t.is(await portal.locate('other'), 'c2');
  t.is(await portal.locate('owner'), 'c1');
});
