// Whole systems for tests: a portal over brand-new stores of the kind TEST_STORE selects,
// cleaned up after the test file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { Portal } from '../../core/portal.ts';
import type { SessionLimits } from '../../core/dispatch/sessions.ts';

const opened: Portal[] = [];
const dirs: string[] = [];
const prefixes: string[] = [];

/** A base store URL nobody else uses: a fresh directory, or a fresh MySQL database-name prefix. */
export function freshBase(): string {
  const target = process.env.TEST_STORE;
  if (!target || target === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'gw-test-'));
    dirs.push(dir);
    return `sqlite:${dir}`;
  }
  const url = new URL(target);
  const prefix = `${url.pathname.slice(1) || 'test'}_t${randomBytes(4).toString('hex')}`;
  prefixes.push(prefix);
  url.pathname = `/${prefix}`;
  return url.toString();
}

export async function openTestPortal(limits?: SessionLimits, base = freshBase()): Promise<Portal> {
  const portal = await Portal.open(base, limits);
  opened.push(portal);
  return portal;
}

export async function closeTestPortals(): Promise<void> {
  for (const portal of opened.splice(0)) await portal.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  if (prefixes.length === 0) return;
  const server = new URL(process.env.TEST_STORE!);
  server.pathname = '/';
  const connection = await createConnection(server.toString());
  try {
    for (const prefix of prefixes.splice(0)) {
      const [rows] = await connection.query('SHOW DATABASES LIKE ?', [`${prefix.replace(/_/g, '\\_')}%`]);
      for (const row of rows as Record<string, string>[]) await connection.query(`DROP DATABASE \`${Object.values(row)[0]}\``);
    }
  } finally {
    await connection.end();
  }
}
