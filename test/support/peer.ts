// syncevo-http-server (SyncEvolution's SyncML server) as the remote portal our client syncs with,
// through ../shared/interop/syncml/peer-server.sh: on a free loopback port, stopping itself after
// MAX_SECONDS whatever happens, stopped by its own script (by PID) when the test ends.
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SYNCML_INTEROP, labDir } from './syncevolution.ts';
import { openTestPortal } from './system.ts';
import { actorOf, openCalendar, openContacts } from './contacts.ts';
import { seedDemo } from '../../core/demo.ts';
import type { Portal } from '../../core/portal.ts';
import type { Actor } from '../../core/cell/cell.ts';
import { clientDeviceId } from '../../gateway/sync/client.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function script(args: string[], env: Record<string, string>, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(join(SYNCML_INTEROP, 'peer-server.sh'), args, { env: { ...process.env, ...env }, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`peer-server.sh ${args.join(' ')}: ${err.message}\n${stdout}${stderr}`));
      else resolve(`${stdout}${stderr}`);
    });
  });
}

export class PeerServer {
  readonly port: number;
  readonly data: string;
  readonly #env: Record<string, string>;

  private constructor(port: number, data: string, env: Record<string, string>) {
    this.port = port;
    this.data = data;
    this.#env = env;
  }

  /** Starts the reference server for `user`/`password`, accepting the given client device IDs. */
  static async start(user: string, password: string, deviceIds: string[], maxSeconds = 300): Promise<PeerServer> {
    const data = labDir('peer-data');
    const env = { SYNCML_LAB_STATE: labDir('peer-state'), SYNC_USER: user, SYNC_PASS: password, DEVICE_IDS: deviceIds.join(','), MAX_SECONDS: String(maxSeconds), LOGLEVEL: '2' };
    const port = await freePort();
    mkdirSync(join(data, 'contacts'), { recursive: true });
    mkdirSync(join(data, 'calendar'), { recursive: true });
    await script(['start', String(port), data], env, 60_000);
    return new PeerServer(port, data, env);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/syncevolution`;
  }

  write(store: 'contacts' | 'calendar', file: string, text: string): void {
    writeFileSync(join(this.data, store, file), text.replace(/\r?\n/g, '\r\n'));
  }

  remove(store: 'contacts' | 'calendar', file: string): void {
    rmSync(join(this.data, store, file));
  }

  items(store: 'contacts' | 'calendar' = 'contacts'): Map<string, string> {
    const dir = join(this.data, store);
    return new Map(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
  }

  names(store: 'contacts' | 'calendar' = 'contacts'): string[] {
    return [...this.items(store).values()].map((text) => /^(?:FN|SUMMARY)[;:](?:.*:)?(.*)$/m.exec(text)?.[1].trim() ?? '?').sort();
  }

  async stop(): Promise<void> {
    await script(['stop', String(this.port)], this.#env, 30_000);
  }
}

type WithPeer = { portal: Portal; demo: Actor; peer: PeerServer };

/**
 * demo (with its Contacts or Calendar ready) on a fresh test portal, and a fresh peer for carol whom
 * demo's client may sync with. `before` runs ahead of any use of the sync tables (to leave demo's
 * cell as an older program did).
 */
export async function withDemoAndPeer(database: 'contacts' | 'calendar', body: (o: WithPeer) => Promise<void>, before?: (o: WithPeer) => Promise<void>): Promise<void> {
  const portal = await openTestPortal();
  await seedDemo(portal);
  const peer = await PeerServer.start('carol', 'pw-at-peer', [clientDeviceId('demo')]);
  try {
    const demo = await actorOf(portal, 'demo');
    await before?.({ portal, demo, peer });
    await (database === 'contacts' ? openContacts : openCalendar)(portal, 'demo');
    await body({ portal, demo, peer });
  } finally {
    await peer.stop();
  }
}
