// The watchdog's rebalancing (seed 000, paragraph 64): per cell it measures the traffic that
// reaches it and the size of its shared databases; a cell past a threshold hands an owner of
// shared databases to the cell that the seed's criteria favour (its load, the data it holds, the
// clients connected to it). Measuring is separate from choosing, which is a pure function.
import type { Portal } from '../portal.ts';
import type { Store } from '../store/store.ts';
import { CoreError } from '../errors.ts';
import { moveOwner, type MoveResult, type Progress } from './move.ts';
import { DEFAULT_LIMITS } from './sessions.ts';
import { startTicker } from '../ticker.ts';

export interface RebalanceRules {
  /** Operations a minute a cell may receive (0: no limit). */
  maxRequestsPerMinute: number;
  /** Bytes of shared databases a cell may hold (0: no limit). */
  maxSharedBytes: number;
  /** Minutes of traffic the measure averages over. */
  windowMinutes: number;
}

export const DEFAULT_RULES: RebalanceRules = { maxRequestsPerMinute: 0, maxSharedBytes: 0, windowMinutes: 5 };

export interface OwnerLoad {
  login: string;
  /** Bytes of the owner's shared databases (their records' data). */
  bytes: number;
  records: number;
}

export interface CellLoad {
  id: string;
  reachable: boolean;
  requestsPerMinute: number;
  sharedBytes: number;
  /** Owners of shared databases, largest first. */
  owners: OwnerLoad[];
  /** Sessions used within the idle limit. */
  clients: number;
  users: number;
  capacity: number;
}

export interface PlannedMove {
  login: string;
  from: string;
  to: string;
  reason: string;
}

/** What one cell's shared databases weigh, owner by owner. */
async function sharedOwners(store: Store): Promise<OwnerLoad[]> {
  const rows = await store.all<{ owner: string; bytes: number | null; records: number | null }>(
    `SELECT d.owner, SUM(LENGTH(r.data)) AS bytes, COUNT(r.id) AS records
       FROM dbs d JOIN records r ON r.db_id = d.id
      WHERE d.id IN (SELECT db_id FROM permissions)
      GROUP BY d.owner`,
  );
  return rows.map((r) => ({ login: r.owner, bytes: Number(r.bytes ?? 0), records: Number(r.records ?? 0) })).sort((a, b) => b.bytes - a.bytes || (a.login < b.login ? -1 : 1));
}

/** Measures every registered cell; one out of reach is measured as unreachable, not as an error. */
export async function measure(portal: Portal, rules: RebalanceRules = DEFAULT_RULES, now = Date.now()): Promise<CellLoad[]> {
  const traffic = await portal.traffic.perMinute(rules.windowMinutes);
  const sessions = await portal.dispatch.store.all<{ cell_id: string; n: number }>('SELECT cell_id, COUNT(*) AS n FROM sessions WHERE seen_at > ? GROUP BY cell_id', [now - DEFAULT_LIMITS.idle]);
  const clients = new Map(sessions.map((r) => [r.cell_id, Number(r.n)]));
  const loads: CellLoad[] = [];
  for (const info of await portal.dispatch.cells()) {
    let owners: OwnerLoad[] = [];
    let reachable = true;
    try {
      owners = await sharedOwners((await portal.cell(info.id)).store);
    } catch (err) {
      if (!(err instanceof CoreError && err.kind === 'unavailable')) throw err;
      reachable = false;
    }
    loads.push({
      id: info.id,
      reachable,
      requestsPerMinute: traffic.get(info.id) ?? 0,
      sharedBytes: owners.reduce((sum, o) => sum + o.bytes, 0),
      owners,
      clients: clients.get(info.id) ?? 0,
      users: info.userCount,
      capacity: info.capacity,
    });
  }
  return loads;
}

/** How far past its thresholds a cell is (0: within them). */
function excess(cell: CellLoad, rules: RebalanceRules): number {
  const over = (value: number, limit: number) => (limit > 0 && value > limit ? value / limit - 1 : 0);
  return over(cell.requestsPerMinute, rules.maxRequestsPerMinute) + over(cell.sharedBytes, rules.maxSharedBytes);
}

/**
 * The moves that bring hot cells down: for each cell past a threshold, the least-loaded other cell
 * with room (load, shared data and connected clients, each relative to the busiest cell, summed)
 * receives the largest owner of shared data it can take without becoming the next hot cell.
 */
export function plan(loads: readonly CellLoad[], rules: RebalanceRules): PlannedMove[] {
  const peak = (pick: (c: CellLoad) => number) => Math.max(1, ...loads.map(pick));
  const top = { requests: peak((c) => c.requestsPerMinute), bytes: peak((c) => c.sharedBytes), clients: peak((c) => c.clients) };
  const score = (c: CellLoad) => c.requestsPerMinute / top.requests + c.sharedBytes / top.bytes + c.clients / top.clients;
  const hot = loads.filter((c) => c.reachable && excess(c, rules) > 0).sort((a, b) => excess(b, rules) - excess(a, rules));
  const receiving = new Set<string>();
  const moves: PlannedMove[] = [];
  for (const cell of hot) {
    const targets = loads
      .filter((c) => c.reachable && c.id !== cell.id && c.users < c.capacity && excess(c, rules) === 0 && !receiving.has(c.id))
      .sort((a, b) => score(a) - score(b) || (a.id < b.id ? -1 : 1));
    const target = targets[0];
    // The largest owner whose data leaves the target lighter than the hot cell was and within its own threshold (no ping-pong).
    const fits = (o: OwnerLoad) => target.sharedBytes + o.bytes < cell.sharedBytes && (!rules.maxSharedBytes || target.sharedBytes + o.bytes <= rules.maxSharedBytes);
    const owner = target && cell.owners.find(fits);
    if (!target || !owner) continue;
    receiving.add(target.id);
    const why = [
      rules.maxRequestsPerMinute > 0 && cell.requestsPerMinute > rules.maxRequestsPerMinute ? `${cell.requestsPerMinute.toFixed(0)} operations/min > ${rules.maxRequestsPerMinute}` : '',
      rules.maxSharedBytes > 0 && cell.sharedBytes > rules.maxSharedBytes ? `${cell.sharedBytes} shared bytes > ${rules.maxSharedBytes}` : '',
    ].filter(Boolean);
    moves.push({ login: owner.login, from: cell.id, to: target.id, reason: `${cell.id}: ${why.join(', ')}; ${target.id} is the least loaded` });
  }
  return moves;
}

const LEASE = 10 * 60_000;

/** One watchdog at a time in the whole system: a lease in the dispatch, renewed by whoever holds it. */
async function takeLease(store: Store, holder: string, now: number): Promise<boolean> {
  return store.transaction(async (tx) => {
    const row = await tx.get<{ holder: string; until_ms: number }>('SELECT holder, until_ms FROM watchdog_lease WHERE id = 1');
    if (row && row.holder !== holder && Number(row.until_ms) > now) return false;
    if (row) await tx.run('UPDATE watchdog_lease SET holder = ?, until_ms = ? WHERE id = 1', [holder, now + LEASE]);
    else await tx.run('INSERT INTO watchdog_lease (id, holder, until_ms) VALUES (1, ?, ?)', [holder, now + LEASE]);
    return true;
  });
}

async function dropLease(store: Store, holder: string): Promise<void> {
  await store.run('DELETE FROM watchdog_lease WHERE id = 1 AND holder = ?', [holder]);
}

/** One round of the watchdog: measure, plan, move, reporting each step. Returns the moves made. */
export async function rebalance(portal: Portal, rules: RebalanceRules, progress: Progress = () => {}, holder = `pid ${process.pid}`): Promise<MoveResult[]> {
  const store = portal.dispatch.store;
  if (!(await takeLease(store, holder, Date.now()))) {
    progress('another watchdog is rebalancing: nothing done');
    return [];
  }
  try {
    const loads = await measure(portal, rules);
    for (const c of loads) {
      progress(`${c.id}: ${c.reachable ? `${c.requestsPerMinute.toFixed(1)} operations/min, ${c.sharedBytes} shared bytes, ${c.clients} clients, ${c.users}/${c.capacity} users` : 'unreachable'}`);
    }
    const moves = plan(loads, rules);
    if (!moves.length) progress('no cell past its thresholds, or none that a move would relieve');
    const done: MoveResult[] = [];
    for (const m of moves) {
      progress(`moving ${m.login} from ${m.from} to ${m.to} (${m.reason})`);
      done.push(await moveOwner(portal, m.login, m.to, progress));
    }
    return done;
  } finally {
    await dropLease(store, holder);
  }
}

/** Runs `rebalance` now and every `seconds` after each round; a round's failure is logged, not fatal. Returns the stop. */
export function startWatchdog(portal: Portal, seconds: number, rules: RebalanceRules, log: Progress = (line) => console.log(`watchdog: ${line}`)): () => Promise<void> {
  return startTicker(seconds * 1000, () => rebalance(portal, rules, log), (err) => log(`round failed: ${(err as Error).message}`));
}
