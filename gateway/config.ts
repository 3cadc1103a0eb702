// Configuration from the environment; every variable is listed in the README.
import { resolve } from 'node:path';

export interface Config {
  port: number;
  host: string;
  /** Where the SQLite stores live when STORE_URL is not set. */
  dataDir: string;
  /** Base of every store: `sqlite:<dir>` (default) or `mysql://user:pass@host:port/base`. */
  storeUrl: string;
  /** Create the demo cells and users on first start. */
  demo: boolean;
  /** Compile WML to WBXML for phones that prefer it (else the operator gateway compiles). */
  compileWml: boolean;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = resolve(env.DATA_DIR || './data');
  const port = Number(env.PORT || 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not "${env.PORT}"`);
  return {
    port,
    host: env.HOST || '0.0.0.0',
    dataDir,
    storeUrl: env.STORE_URL || `sqlite:${dataDir}`,
    demo: env.DEMO !== '0',
    compileWml: env.COMPILE_WML !== '0',
  };
}
