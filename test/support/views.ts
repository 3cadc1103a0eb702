// The view models of every view, as the route handlers build them: shared by the render tests
// and the WBXML tests, which both run every real page through their checks.

/** A session's anti-forgery secret, as the gateway adds it to every page of a session. */
export const CSRF = 'Yk3-Pq8_rS2tU5vW7xZa9c';

export const HOSTILE = `</p><script>alert(1)</script>$(x) $$ &amp; "'<> \u0001 ]]> 日本語`;

/**
 * A model for every view, as the route handlers build them; `text` turns each piece of user data
 * (names, labels, values, messages) into the text under test. URLs and form names are the gateway's.
 */
export function models(text: (s: string) => string): Record<string, Record<string, unknown>> {
  const s = '/s/Zx8_kP2mQw4rT6yU9iOa1b';
  const d = `${s}/d/c1/3`;
  const nav = { home: `${s}/`, logout: `${s}/logout`, csrf: CSRF };
  const db = { name: text('Wine cellar'), url: d };
  const list = (labels: string[]) => labels.map((label, i) => ({ url: `${d}/r/${i + 1}`, label: text(label) }));
  const options = (pairs: string[][], chosen?: string) => pairs.map(([value, label]) => ({ value, label: text(label), selected: value === chosen }));
  const ops = [['eq', '='], ['ne', 'not ='], ['lt', '<'], ['le', '<='], ['gt', '>'], ['ge', '>=']];
  return {
    login: { title: 'Log in', action: '/login', login: text(''), error: text('This login is not known.') },
    password: { title: 'Password', action: '/login/password', login: text('demo'), back: '/' },
    home: {
      title: 'Databases',
      logout: nav.logout,
      csrf: CSRF,
      user: { login: text('demo'), name: text('Demo User') },
      dbs: [
        { name: text('Wine cellar'), url: d, owner: text('demo'), right: 'owner', shared: false, locked: false },
        { name: text('Books'), url: `${s}/d/c1/4`, owner: text('demo'), right: 'owner', shared: false, locked: true },
        { name: text('Restaurants'), url: `${s}/d/c2/1`, owner: text('alice'), right: 'read/write', shared: true, locked: false },
        { name: text('Recipes'), url: `${s}/d/c2/7`, owner: text('bob'), right: 'read', shared: true, locked: false },
      ],
      newDb: `${s}/new`,
      locker: `${s}/locker`,
      next: `${s}/?from=4`,
    },
    database: {
      title: text('Wine cellar'),
      ...nav,
      db: { name: text('Wine cellar'), owner: text('demo'), right: 'owner', url: d },
      records: list(['Margaux, Château Margaux', 'Pétrus, Pomerol', 'Sassicaia, Tenuta San Guido', 'Riesling, Dr. Loosen', 'Barolo, Conterno']),
      add: `${d}/new`,
      addField: `${d}/fields`,
      share: `${d}/share`,
      lock: `${d}/lock`,
      lockLabel: 'Put in locker',
      search: `${d}/search`,
      count: 12,
      next: `${d}?from=5`,
      prev: `${d}?from=0`,
    },
    record: {
      title: text('Wine cellar'),
      ...nav,
      db,
      lines: [
        ['Bottle', 'Margaux'], ['Vineyard', 'Château Margaux'], ['Year', '1998'], ['Rating', 'excellent'],
        ['Notes', 'Decant two hours '], ['Notes', 'before serving.'], ['Low stock', 'Bottles < 3'],
      ].map(([label, value]) => ({ label: text(label), value: text(value) })),
      edit: `${d}/r/1/edit`,
      delete: `${d}/r/1/delete`,
      next: `${d}/r/1?from=7`,
    },
    record_form: {
      title: text('Wine cellar'),
      ...nav,
      db,
      action: `${d}/r/1/edit`,
      cancel: d,
      error: text('Year must be a number.'),
      inputs: [
        { name: 'f1', label: text('Bottle'), type: 'text', value: text('Margaux') },
        { name: 'f2', label: text('Year'), type: 'number', value: text('1998'), hint: 'a number' },
        { name: 'f3', label: text('Rating'), type: 'choice', value: text('excellent'), choices: ['good', 'excellent'].map((c) => ({ value: text(c), label: text(c), selected: c === 'excellent' })) },
        { name: 'f4', label: text('Opened'), type: 'checkbox', value: '1', checked: true },
        { name: 'f5', label: text('Drink from'), type: 'alarm', value: text('2026-05-01'), hint: 'YYYY-MM-DD' },
      ],
    },
    db_form: { title: 'New database', ...nav, action: `${s}/new`, name: text(''), cancel: `${s}/` },
    field_form: {
      title: 'Fields',
      ...nav,
      db: { name: text('Books'), url: `${s}/d/c1/4` },
      action: `${s}/d/c1/4/fields`,
      notice: text('Field "Shelf" added.'),
      existing: ['Title (Text)', 'Pages (Number)', 'Shelf (Choice)', 'Read (Yes/no)'].map(text),
      types: options([['text', 'Text'], ['number', 'Number'], ['date', 'Date'], ['checkbox', 'Yes/no'], ['choice', 'Choice'], ['alarm', 'Alarm']]),
      ops: options(ops),
      watchable: [{ value: '', label: 'the date' }, { value: text('Pages'), label: text('Pages') }],
      events: options([['login', 'Show at login'], ['email', 'Email me'], ['sms', 'SMS me']]),
      values: { name: text(''), type: 'text', choices: text(''), watch: '', op: '', event: 'login' },
      done: `${s}/d/c1/4`,
    },
    confirm: { title: 'Delete', ...nav, message: text('Delete this record from Wine cellar?'), action: `${d}/r/1/delete`, yes: 'Delete', cancel: `${d}/r/1` },
    search: {
      title: 'Search',
      ...nav,
      db,
      action: `${d}/find`,
      fields: ['Bottle', 'Vineyard', 'Year', 'Rating', 'Bottles', 'Drink from', 'Low stock'].map((label, i) => ({ value: String(i + 11), label: text(label), selected: i === 2 })),
      ops: options([...ops, ['contains', 'contains'], ['starts', 'starts with'], ['empty', 'is empty'], ['notempty', 'is not empty']], 'lt'),
      q: text('2001'),
    },
    results: {
      title: 'Found',
      ...nav,
      db,
      summary: text('Year < 2001'),
      records: list(['Margaux, Château Margaux', 'Pétrus, Pomerol', 'Yquem, Sauternes']),
      none: false,
      again: `${d}/search?f=13&op=lt&q=2001`,
      next: `${d}/find?f=13&op=lt&q=2001&from=3`,
    },
    share: {
      title: 'Share',
      ...nav,
      db,
      shares: [['alice', 'read/write'], ['bob', 'read'], ['carol.w', 'read']].map(([login, right]) => ({ login: text(login), right, revoke: `${d}/share/revoke?login=${login}` })),
      action: `${d}/share`,
      rights: options([['read', 'Read'], ['write', 'Read/write']], 'read'),
      login: text(''),
    },
    locker: {
      title: 'Locker',
      ...nav,
      hasLocker: true,
      action: `${s}/locker`,
      dbs: [['Wine cellar', 3, false], ['Books', 4, true], ['Diary', 9, true]].map(([name, id, locked]) => ({
        name: text(name as string),
        url: `${s}/d/c1/${id}`,
        locked,
        toggle: `${s}/d/c1/${id}/lock`,
        toggleLabel: locked ? 'Take out' : 'Put in locker',
      })),
      next: `${s}/locker?from=3`,
    },
    unlock: { title: 'Locker', home: nav.home, csrf: CSRF, db: { name: text('Diary') }, action: `${s}/d/c1/9/unlock?next=d/c1/9`, cancel: nav.home },
    sync_home: {
      title: 'Sync',
      ...nav,
      serverUrl: 'http://gw.example/sync',
      login: text('demo'),
      policyAction: `${s}/sync/policy`,
      policies: options([['duplicate', 'Keep both'], ['ours', 'This server wins'], ['theirs', 'The phone wins']], 'duplicate'),
      policy: 'duplicate',
      md5: false,
      md5Action: `${s}/sync/md5`,
      portals: [['Office portal', 1], ['Club', 2]].map(([name, id]) => ({ name: text(name as string), url: `${s}/sync/p/${id}`, report: text('2026-11-30 12:00, two-way: sent 1 new, 0 changed, 0 deleted; got 2 new, 0 changed, 0 deleted.') })),
      newPortal: `${s}/sync/new`,
      downloads: [{ url: `${s}/sync/syncevolution-files.sh`, label: text('Plain vCard / iCalendar files in ~/lowband') }],
    },
    sync_portal_form: {
      title: 'New portal',
      ...nav,
      action: `${s}/sync/new`,
      values: { name: text('Office'), url: text('http://portal.example/sync'), login: text('ann'), password: '', database: 'contacts', remoteUri: text('addressbook'), mode: 'two-way' },
      databases: options([['contacts', 'Contacts'], ['calendar', 'Calendar']]),
      modes: options([['two-way', 'Two-way'], ['merge-out', 'Merge to it'], ['replace-in', 'Replace ours']]),
      error: text('Type your login at that portal.'),
      cancel: `${s}/sync`,
    },
    sync_portal: {
      title: text('Office portal'),
      ...nav,
      url: text('http://portal.example/sync'),
      login: text('ann'),
      database: 'Contacts',
      remoteUri: text('addressbook'),
      mode: 'Two-way (slow the first time)',
      report: text('2026-11-30 12:00: failed. The portal refused the login and password.'),
      run: `${s}/sync/p/1`,
      remove: `${s}/sync/p/1/delete`,
      back: `${s}/sync`,
    },
    error: { title: 'Error', home: nav.home, message: text('There is no such page.'), back: `${s}/` },
  };
}

