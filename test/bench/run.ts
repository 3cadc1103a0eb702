// `npm run bench`: screen sizes per device class, the record-list page's request rate beside a bare
// Koa app's, and search latency on 100,000 records on SQLite and MariaDB, all in one run.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { dropMysqlDatabases } from '../../core/store/mysql.ts';
import { load } from './load.ts';
import { searchLatency } from './search.ts';
import { longTextCost } from './longtext.ts';
import { screenSizes } from './sizes.ts';
import { kannelSizes } from './kannel.ts';
import { sharedReadCost } from './sharing.ts';
import { formatHandshakes, handshakesPerSecond } from './tls.ts';
import { syncmlBytes } from './syncml-bytes.ts';
import { alarmTickCost } from './alarms.ts';
import { checkTimes, mailScreenSizes } from './mail.ts';
import { startMailLab } from '../support/mail-lab.ts';
import { lookupLatency, moveThroughput } from './cells.ts';
import { syncBench } from './sync.ts';
import { startGateway } from '../support/client.ts';
import { closeTestPortals } from '../support/system.ts';
import { BUDGETS } from '../../gateway/device.ts';
import { MAX_TEXT } from '../../core/cell/fields.ts';

const RECORDS = Number(process.env.BENCH_RECORDS || 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS || 3);
const MYSQL = process.env.BENCH_MYSQL ?? 'mysql://root@127.0.0.1:3306/test';

const pad = (s: string | number, n: number) => String(s).padEnd(n);
const ms = (x: number) => x.toFixed(2);

/** Seconds a page takes on a bearer of `bitsPerSecond`. */
const onAir = (bytes: number, bitsPerSecond: number) => ((bytes * 8) / bitsPerSecond).toFixed(2);

async function sizes() {
  // WML text to every phone here, so that Kannel compiles it and the two compilers can be compared.
  const gw = await startGateway({ compileWml: false });
  try {
    const s = await screenSizes(gw.base);
    let kannel: Record<string, number> = {};
    try {
      kannel = await kannelSizes(gw.base, Object.entries(s.paths).map(([screen, path]) => ({ screen, path })));
    } catch (err) {
      console.log(`(Kannel not measured: ${(err as Error).message.split('\n')[0]})`);
    }
    console.log('\n## Screen sizes in bytes, and seconds on air (WBXML and cHTML at 9.6 kbit/s GSM data, HTML gzipped at 56 kbit/s)');
    console.log(`budgets: WML ${BUDGETS.wml} compiled, cHTML ${BUDGETS.chtml} in Shift_JIS, HTML ${BUDGETS.html}; '!' marks a page over its budget`);
    const cols = ['screen', 'wml text', 'wbxml', 'kannel', 'ours/kannel', 'chtml', 'html', 'html gz', 's@9.6 wbxml', 's@9.6 chtml', 's@56 html'];
    console.log(cols.map((c, i) => pad(c, i === 0 ? 14 : 12)).join(''));
    for (const screen of Object.keys(s.wbxml)) {
      const mark = (n: number, budget: number) => `${n}${n > budget ? '!' : ''}`;
      const row = [
        screen,
        s.wmlText[screen],
        mark(s.wbxml[screen], BUDGETS.wml),
        kannel[screen] ?? '-',
        kannel[screen] ? (s.wbxml[screen] / kannel[screen]).toFixed(2) : '-',
        mark(s.chtml[screen], BUDGETS.chtml),
        mark(s.html[screen], BUDGETS.html),
        s.htmlGzip[screen],
        onAir(s.wbxml[screen], 9600),
        onAir(s.chtml[screen], 9600),
        onAir(s.htmlGzip[screen], 56000),
      ];
      console.log(row.map((c, i) => pad(c, i === 0 ? 14 : 12)).join(''));
    }
    const larger = Object.keys(kannel).filter((screen) => s.wbxml[screen] > kannel[screen]);
    if (Object.keys(kannel).length) console.log(`our WBXML larger than Kannel's on: ${larger.join(', ') || 'no screen'} (target: none)`);
  } finally {
    await gw.close();
    await closeTestPortals();
  }
}

async function throughput() {
  const child = fork(join(import.meta.dirname, 'servers.ts'), { stdio: 'inherit' });
  const next = <T>() => new Promise<T>((resolve) => child.once('message', (m) => resolve(m as T)));
  const urls = await next<{ bare: string; list: string }>();
  const cpu = async () => {
    const reply = next<{ cpu: NodeJS.CpuUsage }>();
    child.send('cpu');
    const { user, system } = (await reply).cpu;
    return user + system;
  };
  try {
    await load(urls.bare, 1);
    await load(urls.list, 1);
    const totals = { bare: { requests: 0, seconds: 0, errors: 0, cpu: 0 }, list: { requests: 0, seconds: 0, errors: 0, cpu: 0 } };
    for (let round = 0; round < 2; round++) {
      for (const which of ['bare', 'list'] as const) {
        const before = await cpu();
        const r = await load(urls[which], SECONDS / 2);
        totals[which].cpu += (await cpu()) - before;
        totals[which].requests += r.requests;
        totals[which].seconds += r.seconds;
        totals[which].errors += r.errors;
      }
    }
    const rate = (k: 'bare' | 'list') => totals[k].requests / totals[k].seconds;
    const cpuPer = (k: 'bare' | 'list') => totals[k].cpu / totals[k].requests;
    console.log('\n## Requests per second (32 in flight, keep-alive, server in its own process, alternated rounds)');
    console.log(`bare Koa, constant string           ${rate('bare').toFixed(0)} req/s, ${cpuPer('bare').toFixed(0)} µs CPU/request (${totals.bare.errors} errors)`);
    console.log(`gateway, authenticated record list  ${rate('list').toFixed(0)} req/s, ${cpuPer('list').toFixed(0)} µs CPU/request (${totals.list.errors} errors)`);
    console.log(`ratio gateway / bare                ${(rate('list') / rate('bare')).toFixed(2)} by req/s, ${(cpuPer('bare') / cpuPer('list')).toFixed(2)} by CPU/request  (target >= 0.5)`);
  } finally {
    child.kill();
  }
}

async function mysqlReachable(): Promise<boolean> {
  try {
    const server = new URL(MYSQL);
    server.pathname = '/';
    const c = await createConnection(server.toString());
    await c.end();
    return true;
  } catch {
    return false;
  }
}

async function search() {
  console.log(`\n## Search latency, one database of ${RECORDS} records, 10 results a page (ms)`);
  const { stores, cleanup } = await benchStores('search');
  const results: Record<string, Awaited<ReturnType<typeof searchLatency>>> = {};
  try {
    for (const [name, base] of stores) results[name] = await searchLatency(base, RECORDS, 100);
  } finally {
    await cleanup();
  }
  const names = Object.keys(results);
  console.log(`${pad('search', 24)}${names.map((n) => pad(`${n} p50`, 13) + pad(`${n} p99`, 13)).join('')}found/page`);
  for (let i = 0; i < results[names[0]].timings.length; i++) {
    const row = names.map((n) => pad(ms(results[n].timings[i].p50), 13) + pad(ms(results[n].timings[i].p99), 13)).join('');
    console.log(`${pad(results[names[0]].timings[i].op, 24)}${row}${results[names[0]].timings[i].found.toFixed(1)}`);
  }
  const worst = (n: string) => Math.max(...results[n].timings.map((t) => t.p50));
  for (const n of names) console.log(`${n}: loaded in ${results[n].loadSeconds.toFixed(1)} s; worst p50 ${ms(worst(n))} ms (target <= 20 ms)`);
}

async function longtext() {
  console.log(`\n## A text value at the cap (${MAX_TEXT.toLocaleString('en')} characters): trigram rows, and ms to store, edit 4 letters, find by "contains", delete`);
  const { stores, cleanup } = await benchStores('longtext');
  try {
    console.log(['store', 'text', 'trigram rows', 'store', 'edit', 'contains', 'delete'].map((c) => pad(c, 14)).join(''));
    for (const [name, base] of stores) {
      for (const r of await longTextCost(base)) console.log([name, r.kind, r.grams, ms(r.storeMs), ms(r.editMs), ms(r.containsMs), ms(r.deleteMs)].map((c) => pad(c, 14)).join(''));
    }
    console.log('prose: words of a small vocabulary, as notes are; worst: ideographs in a random order, nearly every trigram new');
  } finally {
    await cleanup();
  }
}

async function sharing() {
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-'));
  try {
    const { localMicros, sharedMicros, assertionMicros } = await sharedReadCost(`sqlite:${dir}`);
    console.log('\n## A page of 10 records: the owner on its cell, a reader on another cell (signed assertion checked), SQLite');
    console.log(`local read   ${localMicros.toFixed(1)} µs`);
    console.log(`shared read  ${sharedMicros.toFixed(1)} µs`);
    console.log(`ratio shared / local  ${(sharedMicros / localMicros).toFixed(2)}`);
    console.log(`a fresh assertion (sign, public-key lookup, verify): ${assertionMicros.toFixed(0)} µs, paid about once a minute per reader and cell`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The stores a part compares: SQLite in a temporary directory, and MariaDB when it answers. */
async function benchStores(label: string): Promise<{ stores: [string, string][]; cleanup: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-'));
  const stores: [string, string][] = [['sqlite', `sqlite:${dir}`]];
  if (MYSQL && (await mysqlReachable())) {
    const url = new URL(MYSQL);
    url.pathname = `/bench_${label}_${process.pid}`;
    stores.push(['mariadb', url.toString()]);
  } else console.log(`(MariaDB at ${MYSQL} not reachable: skipped)`);
  return {
    stores,
    cleanup: async () => {
      rmSync(dir, { recursive: true, force: true });
      if (stores.length > 1) await dropMysqlDatabases(stores[1][1]);
    },
  };
}

/** A base of its own beside `base`: a subdirectory, or a database-name suffix. */
const beside = (base: string, name: string) => (base.startsWith('mysql:') ? `${base}_${name}` : `${base}/${name}`);

const DIRECTORY_USERS = Number(process.env.BENCH_DIRECTORY_USERS || 1_000_000);
const MOVE_RECORDS = Number(process.env.BENCH_MOVE_RECORDS || 20_000);

async function cells() {
  const { stores, cleanup } = await benchStores('cells');
  try {
    console.log(`\n## Login lookup (step one: login → cell), 20,000 lookups, µs; uncached = a cache of one entry, cached = a warm set of 10,000`);
    console.log(`${pad('store', 10)}${pad('users', 11)}${pad('filled in', 12)}${pad('uncached p50', 14)}${pad('uncached p99', 14)}${pad('cached p50', 12)}${pad('cached p99', 12)}uncached/cached p50`);
    for (const [name, base] of stores) {
      for (const r of await lookupLatency(beside(base, 'lookup'), [10_000, DIRECTORY_USERS])) {
        const row = [name, r.users, `${r.fillSeconds.toFixed(1)} s`, r.uncached.p50.toFixed(1), r.uncached.p99.toFixed(1), r.cached.p50.toFixed(2), r.cached.p99.toFixed(2), (r.uncached.p50 / r.cached.p50).toFixed(0)];
        console.log(row.map((c, i) => pad(c, [10, 11, 12, 14, 14, 12, 12, 0][i])).join(''));
      }
    }
    console.log(`\n## Moving an owner with a shared database of ${MOVE_RECORDS} records to another cell (records/s; the writer adds records through the old address all along)`);
    console.log(`${pad('store', 10)}${pad('writer', 8)}${pad('seconds', 10)}${pad('records/s', 12)}${pad('writes during', 15)}every write once`);
    for (const [name, base] of stores) {
      const rates: number[] = [];
      for (const withWriter of [false, true]) {
        const r = await moveThroughput(beside(base, withWriter ? 'move_w' : 'move'), MOVE_RECORDS, withWriter);
        rates.push(r.rate);
        console.log([pad(name, 10), pad(withWriter ? 'yes' : 'no', 8), pad(r.seconds.toFixed(2), 10), pad(r.rate.toFixed(0), 12), pad(withWriter ? r.writes : '-', 15), r.exact ? 'yes' : 'NO'].join(''));
      }
      console.log(`${name}: ratio with writer / without ${(rates[1] / rates[0]).toFixed(2)}`);
    }
    console.log('(search latency on 100,000 records, SQLite beside MariaDB: the search part)');
  } finally {
    await cleanup();
  }
}

async function tls() {
  console.log(`\n${formatHandshakes(await handshakesPerSecond())}`);
}

async function syncmlWire() {
  console.log("\n## SyncML bytes on the wire: the recorded sessions' XML messages as WBXML (ours with string table, ours inline as SyncEvolution writes it, libwbxml2's)");
  const cols = ['session', 'msgs', 'xml', 'wbxml', 'inline', 'libwbxml', 'wbxml/xml', 'wbxml/libwbxml'];
  const widths = [50, 6, 10, 10, 10, 10, 11, 14];
  const line = (cells: Array<string | number>) => console.log(cells.map((c, i) => pad(c, widths[i])).join(''));
  line(cols);
  const rows = syncmlBytes();
  const sum = (key: 'messages' | 'xml' | 'wbxml' | 'inline') => rows.reduce((n, r) => n + r[key], 0);
  const lib = rows.every((r) => r.libwbxml !== undefined) ? rows.reduce((n, r) => n + r.libwbxml!, 0) : undefined;
  const total = { session: 'all', messages: sum('messages'), xml: sum('xml'), wbxml: sum('wbxml'), inline: sum('inline'), libwbxml: lib };
  for (const r of [...rows, total]) line([r.session, r.messages, r.xml, r.wbxml, r.inline, r.libwbxml ?? '-', (r.wbxml / r.xml).toFixed(2), r.libwbxml ? (r.wbxml / r.libwbxml).toFixed(2) : '-']);
}

async function alarms() {
  // A million alarms on SQLite; MariaDB at BENCH_ALARMS_MYSQL (its bulk load is the slow part).
  const total = Number(process.env.BENCH_ALARMS || 1_000_000);
  const mysqlTotal = Number(process.env.BENCH_ALARMS_MYSQL || total);
  const due = 1000;
  console.log(`\n## Alarm watchdog, one tick with ${due} alarms due, against a naive scan of every alarm value (median of 5)`);
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-'));
  const runs: [string, string, number][] = [['sqlite', `sqlite:${dir}`, total]];
  if (MYSQL && (await mysqlReachable())) {
    const url = new URL(MYSQL);
    url.pathname = `/bench_alarms_${process.pid}`;
    runs.push(['mariadb', url.toString(), mysqlTotal]);
  } else console.log(`(MariaDB at ${MYSQL} not reachable: skipped)`);
  console.log(`${pad('store', 10)}${pad('alarms', 10)}${pad('load s', 9)}${pad('tick ms', 10)}${pad('tick rows', 11)}${pad('idle ms', 10)}${pad('idle rows', 11)}${pad('naive ms', 10)}${pad('naive rows', 12)}naive/tick`);
  try {
    for (const [name, base, n] of runs) {
      const r = await alarmTickCost(base, n, due);
      const row = [name, n, r.loadSeconds.toFixed(1), ms(r.watchdog.ms), r.watchdog.rowsRead, ms(r.idle.ms), r.idle.rowsRead, ms(r.naive.ms), r.naive.rowsRead, `${(r.naive.ms / r.watchdog.ms).toFixed(1)}x time, ${(r.naive.rowsRead / r.watchdog.rowsRead).toFixed(0)}x rows`];
      console.log(row.map((c, i) => pad(c, [10, 10, 9, 10, 11, 10, 11, 10, 12, 0][i])).join(''));
      if (r.watchdog.fired !== due || r.naive.due !== due) console.log(`(!) fired ${r.watchdog.fired}, naive found ${r.naive.due}: expected ${due}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (runs.length > 1) await dropMysqlDatabases(runs[1][1]);
  }
}

async function mail() {
  try {
    await startMailLab();
  } catch (err) {
    console.log(`\n(mail lab not started, mail skipped: ${(err as Error).message.split('\n')[0]})`);
    return;
  }
  const { stores, cleanup } = await benchStores('mail');
  try {
    console.log('\n## Mail: checking new messages from the local Dovecot into the inbox (parsed, stored, one transaction each)');
    for (const line of await checkTimes(stores)) console.log(line);
    console.log('\n## Mail screens in bytes (30 messages in the inbox; a 1.5 KB message)');
    for (const line of await mailScreenSizes(stores[0][1])) console.log(line);
  } finally {
    await cleanup();
  }
}

async function sync() {
  const sizes = (process.env.BENCH_SYNC_CONTACTS || '1000,10000').split(',').map(Number);
  const rows = await syncBench(sizes);
  console.log('\n## Slow sync of N contacts from SyncEvolution (client, file backend): our /sync against syncevo-http-server, same data, same run (best of two alternated rounds each)');
  const cols = ['contacts', 'ours xml s', 'peer s', 'ours/peer', 'ours wbxml s', 'xml bytes', 'wbxml bytes', 'wbxml/xml'];
  console.log(cols.map((c) => pad(c, 14)).join(''));
  for (const r of rows) {
    const xml = r.oursXml.up + r.oursXml.down;
    const wbxml = r.oursWbxml.up + r.oursWbxml.down;
    const cells = [r.contacts, r.oursXml.seconds.toFixed(1), r.peer.seconds.toFixed(1), (r.oursXml.seconds / r.peer.seconds).toFixed(2), r.oursWbxml.seconds.toFixed(1), xml, wbxml, (wbxml / xml).toFixed(2)];
    console.log(cells.map((c) => pad(c, 14)).join(''));
  }
  console.log('bytes: both directions on the wire, HTTP headers included; target ours/peer <= 1.00');
}

// BENCH_ONLY=sizes,throughput,search,longtext,sharing,tls,syncml-bytes,alarms,mail,cells,sync runs some parts, for working on one figure.
const only = process.env.BENCH_ONLY?.split(',');
for (const [name, part] of Object.entries({ sizes, throughput, search, longtext, sharing, tls, 'syncml-bytes': syncmlWire, alarms, mail, cells, sync })) if (!only || only.includes(name)) await part();
