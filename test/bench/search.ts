// Search latency on a database of 100,000 records, per comparison, on one store.
import { Portal } from '../../core/portal.ts';
import type { Comparison } from '../../core/cell/fields.ts';

const REGIONS = ['Bordeaux', 'Burgundy', 'Rhône', 'Loire', 'Champagne', 'Alsace', 'Tuscany', 'Piedmont', 'Rioja', 'Mosel'];

export interface SearchTiming {
  op: string;
  p50: number;
  p99: number;
  found: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

/** Fills one database with `count` records, then times each kind of search `runs` times. */
export async function searchLatency(base: string, count: number, runs: number): Promise<{ loadSeconds: number; timings: SearchTiming[] }> {
  const portal = await Portal.open(base);
  try {
    await portal.addCell('c1', 10);
    const owner = await portal.register('bench', 'bench', 'Bench');
    const ref = await portal.createDatabase(owner, 'Big cellar');
    const name = (await portal.addField(owner, ref, { name: 'Name', type: 'text' })).id;
    const year = (await portal.addField(owner, ref, { name: 'Year', type: 'number' })).id;
    const region = (await portal.addField(owner, ref, { name: 'Region', type: 'choice', choices: REGIONS.join(',') })).id;
    const bottles = (await portal.addField(owner, ref, { name: 'Bottles', type: 'number' })).id;
    const drink = (await portal.addField(owner, ref, { name: 'Drink from', type: 'date' })).id;

    const started = performance.now();
    for (let i = 0; i < count; i += 1000) {
      const batch = Array.from({ length: Math.min(1000, count - i) }, (_, k) => {
        const n = i + k;
        return {
          [name]: `Château ${n.toString(36)} ${REGIONS[n % 10]} cuvée ${n % 97}`,
          [year]: String(1950 + (n % 75)),
          [region]: REGIONS[(n * 7) % 10],
          [bottles]: String(n % 24),
          [drink]: `${2000 + (n % 40)}-${String(1 + (n % 12)).padStart(2, '0')}-15`,
        };
      });
      await portal.importRecords(owner, ref, batch);
    }
    const loadSeconds = (performance.now() - started) / 1000;

    const queries: [string, number, Comparison, (i: number) => string][] = [
      ['Year = y', year, 'eq', (i) => String(1950 + (i % 75))],
      ['Bottles < 2', bottles, 'lt', () => '2'],
      ['Year > y (most)', year, 'gt', (i) => String(1950 + (i % 10))],
      ['Region = r', region, 'eq', (i) => REGIONS[i % 10]],
      ['Drink from <= d', drink, 'le', (i) => `${2000 + (i % 40)}-01-01`],
      ['Name starts with', name, 'starts', (i) => `château ${(i * 37).toString(36)}`],
      ['Name contains (rare)', name, 'contains', (i) => (50_000 + ((i * 997) % 50_000)).toString(36)],
      // Every trigram of these is in thousands of names: the index gives way to the scan, which finds a page soon.
      ['Name contains (common)', name, 'contains', (i) => `cuvée ${i % 97}`],
      ['Name = n (exact)', name, 'eq', (i) => `Château ${(i * 13).toString(36)} ${REGIONS[(i * 13) % 10]} cuvée ${(i * 13) % 97}`],
      ['Bottles is empty', bottles, 'empty', () => ''],
      ['Region not = r', region, 'ne', (i) => REGIONS[i % 10]],
    ];
    const timings: SearchTiming[] = [];
    for (const [label, fieldId, op, operand] of queries) {
      const times: number[] = [];
      let found = 0;
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const { items } = await portal.search(owner, ref, { fieldId, op, operand: operand(i) }, 0, 10);
        times.push(performance.now() - t0);
        found += items.length;
      }
      times.sort((a, b) => a - b);
      timings.push({ op: label, p50: percentile(times, 50), p99: percentile(times, 99), found: found / runs });
    }
    return { loadSeconds, timings };
  } finally {
    await portal.close();
  }
}
