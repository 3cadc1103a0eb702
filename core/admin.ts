// The operator's command: `npm run admin -- <command> …` over the stores the gateway uses.
import { readConfig } from '../gateway/config.ts';
import type { Portal } from './portal.ts';
import { seedDemo } from './demo.ts';
import { CoreError } from './errors.ts';
import { openDeployment } from './deployment.ts';
import { moveOwner } from './dispatch/move.ts';
import { measure, rebalance, type RebalanceRules } from './dispatch/watchdog.ts';

const USAGE = `usage: npm run admin -- <command>
  add-cell <id> [capacity=1000] [store-url]   register a new cell (store defaults to one beside the others)
  add-user <login> <password> [name...]       create a user on the least-loaded cell with room
  cells                                       list the cells with their load
  load                                        measure each cell as the watchdog does (traffic, shared data, clients)
  move <login> <cell>                         move a user, with their databases, to another cell, online
  rebalance                                   one round of the watchdog: move owners off cells past the thresholds
  demo                                        create the demo cells and users if the system is empty`;

const rules = (): RebalanceRules => readConfig().rebalance;

/** Runs one command; progress lines go to `say` as they come, the result is returned. */
async function run(portal: Portal, [command, ...args]: string[], say: (line: string) => void): Promise<string> {
  switch (command) {
    case 'add-cell': {
      const [id, capacity = '1000', url] = args;
      if (!id) return USAGE;
      const cell = await portal.addCell(id, Number(capacity), url);
      return `cell ${cell.id} added (capacity ${cell.capacity}, store ${cell.storeUrl})`;
    }
    case 'add-user': {
      const [login, password, ...name] = args;
      if (!login || !password) return USAGE;
      const user = await portal.register(login, password, name.join(' '));
      return `user ${user.login} created on cell ${user.cellId}`;
    }
    case 'cells':
      return (await portal.dispatch.cells()).map((c) => `${c.id}\t${c.userCount}/${c.capacity} users\t${c.storeUrl}`).join('\n') || 'no cells yet';
    case 'load':
      return (await measure(portal, rules()))
        .map((c) => `${c.id}\t${c.reachable ? `${c.requestsPerMinute.toFixed(1)} ops/min\t${c.sharedBytes} shared bytes\t${c.clients} clients\t${c.users}/${c.capacity} users` : 'unreachable'}`)
        .join('\n');
    case 'move': {
      const [login, cell] = args;
      if (!login || !cell) return USAGE;
      const r = await moveOwner(portal, login, cell, say);
      return `moved ${r.login} from ${r.from} to ${r.to}: ${r.dbs.length} databases, ${r.records} records written in ${r.seconds.toFixed(1)} s`;
    }
    case 'rebalance': {
      const done = await rebalance(portal, rules(), say, `admin pid ${process.pid}`);
      return `rebalanced: ${done.length} owners moved`;
    }
    case 'demo':
      return (await seedDemo(portal)) ? 'demo created: log in as demo / demo' : 'the system has cells already: demo not created';
    default:
      return USAGE;
  }
}

const portal = await openDeployment({ ...readConfig(), demo: false });
try {
  console.log(await run(portal, process.argv.slice(2), (line) => console.log(line)));
} catch (err) {
  if (!(err instanceof CoreError)) throw err;
  console.error(`error: ${err.message}`);
  process.exitCode = 1;
} finally {
  await portal.close();
}
