// First start on an empty system: two cells, the demo user with a wine cellar (alarm fields
// included, as in seed 000), and a second user on the other cell who shares a database with demo.
import type { Portal } from './portal.ts';

const WINES: Record<string, string>[] = [
  { code: 'B-001', vineyard: 'Château Margaux', year: '1998', rating: 'excellent', bottles: '6', drink: '2026-01-01' },
  { code: 'B-002', vineyard: 'Château Latour', year: '2005', rating: 'excellent', bottles: '2', drink: '2030-06-01' },
  { code: 'B-003', vineyard: 'Domaine de la Romanée-Conti', year: '2010', rating: 'very good', bottles: '1', drink: '2032-01-01' },
  { code: 'B-004', vineyard: 'Cheval Blanc', year: '2000', rating: 'very good', bottles: '4', drink: '2024-09-01' },
  { code: 'B-005', vineyard: 'Pétrus', year: '1990', rating: 'excellent', bottles: '3', drink: '2020-01-01' },
  { code: 'B-006', vineyard: 'Sassicaia', year: '2015', rating: 'good', bottles: '12', drink: '2027-03-15' },
];

const RESTAURANTS: Record<string, string>[] = [
  { name: 'Sukiyabashi', city: 'Tokyo', visited: '2025-04-02' },
  { name: 'Le Comptoir', city: 'Paris', visited: '2024-11-20' },
  { name: 'St. John', city: 'London', visited: '' },
];

/** Creates the demo data when the system has no cell yet; returns whether it did. */
export async function seedDemo(portal: Portal): Promise<boolean> {
  if ((await portal.dispatch.cells()).length > 0) return false;
  await portal.addCell('c1', 1000);
  await portal.addCell('c2', 1000);

  const demo = await portal.register('demo', 'demo', 'Demo User');
  const cellar = await portal.createDatabase(demo, 'Wine cellar');
  const ids: Record<string, number> = {};
  for (const [key, spec] of [
    ['code', { name: 'Bottle', type: 'text' }],
    ['vineyard', { name: 'Vineyard', type: 'text' }],
    ['year', { name: 'Year', type: 'number' }],
    ['rating', { name: 'Rating', type: 'choice', choices: 'good, very good, excellent' }],
    ['bottles', { name: 'Bottles', type: 'number' }],
    ['drink', { name: 'Drink from', type: 'alarm', watch: '', event: 'login' }],
  ] as const) {
    ids[key] = (await portal.addField(demo, cellar, spec)).id;
  }
  await portal.addField(demo, cellar, { name: 'Low stock', type: 'alarm', watch: 'Bottles', op: 'lt', event: 'login' });
  for (const wine of WINES) {
    await portal.createRecord(demo, cellar, Object.fromEntries(Object.entries(wine).map(([k, v]) => [String(ids[k]), v])));
  }

  const alice = await portal.register('alice', 'alice', 'Alice Martin');
  const places = await portal.createDatabase(alice, 'Restaurants');
  const name = (await portal.addField(alice, places, { name: 'Name', type: 'text' })).id;
  const city = (await portal.addField(alice, places, { name: 'City', type: 'text' })).id;
  const visited = (await portal.addField(alice, places, { name: 'Visited', type: 'date' })).id;
  for (const r of RESTAURANTS) await portal.createRecord(alice, places, { [name]: r.name, [city]: r.city, [visited]: r.visited });
  await portal.share(alice, places, 'demo', 'write');
  return true;
}
