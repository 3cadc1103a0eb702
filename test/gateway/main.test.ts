// The newcomer's path: `npm start` on an empty data directory gives a gateway with the demo account,
// and a restart keeps the data and the sessions.
import test from 'ava';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Handset } from '../support/client.ts';
import { startSmsLab } from '../support/sms.ts';

const ROOT = join(import.meta.dirname, '..', '..');

async function start(dataDir: string, env: Record<string, string> = {}): Promise<{ base: string; stop: () => Promise<void>; output: () => string }> {
  const child = spawn(process.execPath, ['gateway/main.ts'], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', STORE_URL: '', ...env } });
  let output = '';
  child.stderr.on('data', (d) => (output += d));
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      output += d;
      const m = /listening on (http:\/\/[\d.]+:\d+)\//.exec(output);
      if (m) resolve(m[1]);
    });
    child.on('exit', () => reject(new Error(`the gateway exited:\n${output}`)));
  });
  return {
    base,
    output: () => output,
    stop: () => new Promise<void>((resolve) => {
      child.on('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

test('a first start creates the demo; demo/demo logs in; a restart keeps data and sessions', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-main-'));
  try {
    const first = await start(dir);
    t.regex(first.output(), /demo account demo \/ demo/);
    const form = 'login=demo&password=demo';
    const login = await fetch(`${first.base}/login/password`, { method: 'POST', body: form, redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    t.is(login.status, 303);
    const home = login.headers.get('location')!;
    t.regex(await (await fetch(first.base + home)).text(), /Wine cellar/);
    await first.stop();

    const second = await start(dir);
    t.notRegex(second.output(), /demo account/, 'the demo is created once');
    const again = await fetch(second.base + home);
    t.is(again.status, 200, 'the session survived the restart');
    t.regex(await again.text(), /Wine cellar/);
    await second.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the admin command adds cells and users and lists them', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-admin-'));
  const admin = (...args: string[]) => execFileSync(process.execPath, ['core/admin.ts', ...args], { cwd: ROOT, env: { ...process.env, DATA_DIR: dir, STORE_URL: '' }, encoding: 'utf8' });
  try {
    t.regex(admin('add-cell', 'c7', '2'), /cell c7 added \(capacity 2/);
    t.regex(admin('add-user', 'zoe', 'zoepass', 'Zoe', 'Q'), /user zoe created on cell c7/);
    t.regex(admin('cells'), /c7\t1\/2 users/);
    t.regex(admin('demo'), /not created/);
    const err = t.throws(() => execFileSync(process.execPath, ['core/admin.ts', 'add-user', 'zoe', 'other'], { cwd: ROOT, env: { ...process.env, DATA_DIR: dir, STORE_URL: '' }, encoding: 'utf8', stdio: 'pipe' }));
    t.regex(String((err as { stderr?: string }).stderr), /error: The login "zoe" is taken/);
    t.regex(admin('help'), /usage/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the gateway runs the alarm watchdogs: an SMS alarm set from a browser reaches the SMS centre through Kannel', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-alarms-'));
  const lab = await startSmsLab();
  try {
    const gw = await start(dir, { ALARM_TICK_MS: '100', SMS_SENDSMS_URL: lab.sendsmsUrl, PUBLIC_URL: 'http://gw.example' });
    try {
      const browser = new Handset(t, gw.base, 'html');
      // The demo's wines ready by now were fired by the first tick: login shows them first.
      let page = await browser.login();
      for (let i = 0; i < 50 && !/\/alarms$/.test(page.url); i++) {
        await new Promise((r) => setTimeout(r, 100));
        page = await new Handset(t, gw.base, 'html').login();
      }
      t.regex(page.words, /B-005 P.trus, Drink from 2020-01-01/);
      const contact = await browser.get(page.link(/Email and phone/));
      await browser.post(contact.action, { email: '', phone: '+33612345678' });
      const home = await browser.get(page.link('Home'));
      const db = await browser.get((await browser.post((await browser.get(home.link('New database'))).action, { name: 'Bills' })).link(/Done/));
      const fields = await browser.get(db.link('Fields'));
      await browser.post(fields.action, { name: 'What', type: 'text' });
      await browser.post(fields.action, { name: 'Pay by', type: 'alarm', watch: '', op: 'ge', event: 'sms' });
      const form = await browser.get((await browser.get(db.url)).link('Add'));
      const [what, payBy] = [...new Set([...form.text.matchAll(/name="(f\d+)"/g)].map((m) => m[1]))];
      await browser.post(form.action, { [what]: 'Rent', [payBy]: '2020-02-01' });
      const [sms] = await lab.waitFor(1);
      t.is(sms.to, '+33612345678');
      t.regex(sms.text, /^\[alarm\] Bills: Rent, Pay by 2020-02-01 http:\/\/gw\.example\/a\/\d+$/);
    } finally {
      await gw.stop();
    }
  } finally {
    await lab.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
