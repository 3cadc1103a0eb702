// The newcomer's path: `npm start` on an empty data directory gives a gateway with the demo account,
// and a restart keeps the data and the sessions.
import test from 'ava';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

async function start(dataDir: string): Promise<{ base: string; stop: () => Promise<void>; output: () => string }> {
  const child = spawn(process.execPath, ['gateway/main.ts'], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', STORE_URL: '' } });
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
