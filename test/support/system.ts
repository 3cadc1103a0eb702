// Whole systems for tests: a portal over brand-new stores of the kind TEST_STORE selects,
// closed and removed after the test file.
import { Portal, type PortalOptions } from '../../core/portal.ts';
import { CoreError } from '../../core/errors.ts';
import { cleanupStores, freshDir, freshStoreUrl, storeKind } from './stores.ts';

const opened: Portal[] = [];

/**
 * A base URL nobody else uses (see core/store/locate.ts): SQLite wants a directory, MySQL a
 * database-name prefix, which cleanupStores() drops with everything derived from it.
 */
export function freshBase(): string {
  if (storeKind() === 'mysql') return freshStoreUrl('system');
  return `sqlite:${freshDir('system')}`;
}

export async function openTestPortal(options?: PortalOptions, base = freshBase()): Promise<Portal> {
  const portal = await Portal.open(base, options);
  opened.push(portal);
  return portal;
}

/**
 * A fresh system with the given cells (capacity 100; a URL, or the default store) and users
 * registered in order, each with the password `<login>-pass`.
 */
export async function openSystem(cells: Record<string, string | undefined>, logins: readonly string[], base = freshBase()) {
  const portal = await openTestPortal({}, base);
  for (const [id, url] of Object.entries(cells)) await portal.addCell(id, 100, url);
  const users = [];
  for (const login of logins) users.push(await portal.register(login, `${login}-pass`, login));
  return { portal, users, base };
}

/** Closes one portal now (its connections go back at once), rather than with the test file. */
export async function closeTestPortal(portal: Portal): Promise<void> {
  const i = opened.indexOf(portal);
  if (i >= 0) opened.splice(i, 1);
  await portal.close();
}

export async function closeTestPortals(): Promise<void> {
  for (const portal of opened.splice(0)) await portal.close();
  await cleanupStores();
}

/** What a core operation ends in: 'ok', or the kind of its CoreError (anything else is rethrown). */
export async function kindOf(operation: Promise<unknown>): Promise<string> {
  try {
    await operation;
    return 'ok';
  } catch (err) {
    if (err instanceof CoreError) return err.kind;
    throw err;
  }
}
