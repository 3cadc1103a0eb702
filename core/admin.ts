// The operator's command: `npm run admin -- <command> …` over the stores the gateway uses.
import { readConfig } from '../gateway/config.ts';
import { Portal } from './portal.ts';
import { seedDemo } from './demo.ts';
import { CoreError } from './errors.ts';

const USAGE = `usage: npm run admin -- <command>
  add-cell <id> [capacity=1000] [store-url]   register a new cell (store defaults to one beside the others)
  add-user <login> <password> [name...]       create a user on the least-loaded cell with room
  cells                                       list the cells with their load
  demo                                        create the demo cells and users if the system is empty`;

async function run(portal: Portal, [command, ...args]: string[]): Promise<string> {
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
    case 'demo':
      return (await seedDemo(portal)) ? 'demo created: log in as demo / demo' : 'the system has cells already: demo not created';
    default:
      return USAGE;
  }
}

const portal = await Portal.open(readConfig().storeUrl);
try {
  console.log(await run(portal, process.argv.slice(2)));
} catch (err) {
  if (!(err instanceof CoreError)) throw err;
  console.error(`error: ${err.message}`);
  process.exitCode = 1;
} finally {
  await portal.close();
}
