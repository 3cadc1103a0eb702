// The gateway as a child process (`npm start` over the given stores), for tests with several
// gateway processes behind test/support/balancer.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** A gateway process over the stores derived from `storeUrl`; resolves with its base URL once it listens. */
export async function gatewayProcess(storeUrl: string): Promise<{ base: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['gateway/main.ts'], { cwd: ROOT, env: { ...process.env, STORE_URL: storeUrl, PORT: '0', HOST: '127.0.0.1', DEMO: '0', CELL_STORES: '' } });
  let output = '';
  child.stderr!.on('data', (d) => (output += d));
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      output += d;
      const m = /listening on (http:\/\/[\d.]+:\d+)\//.exec(output);
      if (m) resolve(m[1]);
    });
    child.on('exit', () => reject(new Error(`the gateway exited:\n${output}`)));
  });
  return { base, child };
}
