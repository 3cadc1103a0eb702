// A real SMS path on loopback: Kannel's bearerbox and smsbox (Debian package kannel) with
// fakesmsc (kannel-extras) as the SMS centre, from a private config in a temp dir. Every port is
// picked free at run time (none of wap-fetch.sh's fixed ones; no wapbox, so no UDP 9200/9201), and
// every process runs under `timeout`, so it stops by itself even if a test dies.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BEARERBOX = process.env.BEARERBOX ?? '/usr/sbin/bearerbox';
const SMSBOX = process.env.SMSBOX ?? '/usr/sbin/smsbox';
const FAKESMSC = join(process.env.KANNEL_TEST_DIR ?? '/usr/lib/kannel/test', 'fakesmsc');

export interface ArrivedSms {
  from: string;
  to: string;
  text: string;
}

export interface SmsLab {
  /** smsbox's sendsms URL, account included. */
  sendsmsUrl: string;
  /** The messages the SMS centre has received so far. */
  arrived(): Promise<ArrivedSms[]>;
  /** Waits (at most `ms`) until `count` messages have arrived. */
  waitFor(count: number, ms?: number): Promise<ArrivedSms[]>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await probe().catch(() => undefined);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`SMS lab: ${what} within ${ms} ms`);
    await sleep(50);
  }
}

const readText = (file: string) => readFile(file, 'utf8').catch(() => '');

/** Starts bearerbox, fakesmsc and smsbox; they stop by themselves after `lifetimeSeconds`. */
export async function startSmsLab(lifetimeSeconds = 60): Promise<SmsLab> {
  const dir = await mkdtemp(join(tmpdir(), 'sms-lab-'));
  const [admin, box, smsc, sendsms] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const password = `pw${Math.random().toString(36).slice(2)}`;
  await writeFile(
    join(dir, 'kannel.conf'),
    `group = core
admin-port = ${admin}
admin-interface = "127.0.0.1"
admin-password = "${password}"
admin-deny-ip = "*.*.*.*"
admin-allow-ip = "127.0.0.1"
smsbox-port = ${box}
box-deny-ip = "*.*.*.*"
box-allow-ip = "127.0.0.1"
log-file = "${dir}/bearerbox.log"
log-level = 0

group = smsc
smsc = fake
smsc-id = fake
port = ${smsc}
connect-allow-ip = "127.0.0.1"

group = smsbox
bearerbox-host = "127.0.0.1"
bearerbox-port = ${box}
sendsms-port = ${sendsms}
sendsms-interface = "127.0.0.1"
global-sender = "4242"
log-file = "${dir}/smsbox.log"
log-level = 0

group = sendsms-user
username = "alarms"
password = "${password}"

group = sms-service
keyword = default
text = "This number takes no messages."
`,
  );
  const children: ChildProcess[] = [];
  const start = (name: string, command: string, args: string[]) => {
    const child = spawn('timeout', ['-k', '2', String(lifetimeSeconds), command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout!.on('data', (b) => out.push(b));
    child.stderr!.on('data', (b) => out.push(b));
    child.on('exit', () => void writeFile(join(dir, `${name}.out`), Buffer.concat(out)).catch(() => {}));
    children.push(child);
    return () => Buffer.concat(out).toString('utf8');
  };
  const stop = async () => {
    for (const child of children.reverse()) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(5000)]);
      }
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    start('bearerbox', BEARERBOX, ['-v', '1', join(dir, 'kannel.conf')]);
    await until('bearerbox did not start', 15_000, async () => ((await readText(join(dir, 'bearerbox.log'))).includes('Start-up done') ? true : undefined));
    // -m 0: the SMS centre sends no messages of its own, it only prints those it receives.
    const smscOut = start('fakesmsc', FAKESMSC, ['-H', '127.0.0.1', '-r', String(smsc), '-m', '0', '1 2 text unused']);
    start('smsbox', SMSBOX, ['-v', '1', join(dir, 'kannel.conf')]);
    const sendsmsUrl = `http://127.0.0.1:${sendsms}/cgi-bin/sendsms?username=alarms&password=${password}`;
    await until('smsbox did not answer', 15_000, async () => ((await fetch(`http://127.0.0.1:${sendsms}/`)).status ? true : undefined));
    // smsbox answers HTTP before its link to bearerbox is up, and a message sent then is refused:
    // ready means bearerbox lists smsbox among its boxes and the SMS centre online.
    const status = `http://127.0.0.1:${admin}/status.txt?password=${password}`;
    await until('smsbox or the SMS centre did not reach bearerbox', 15_000, async () => {
      const text = await (await fetch(status)).text();
      return /^\s+smsbox:.*on-line/m.test(text) && /^\s+fake\[fake\].*\(online/m.test(text) ? true : undefined;
    });
    const arrived = async () =>
      [...smscOut().matchAll(/Got message \d+: <(\S+) (\S+) text (.*)>$/gm)].map((m) => ({ from: m[1], to: m[2], text: m[3] }));
    return {
      sendsmsUrl,
      arrived,
      waitFor: (count, ms = 15_000) => until(`${count} SMS did not arrive`, ms, async () => {
        const got = await arrived();
        return got.length >= count ? got : undefined;
      }),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
