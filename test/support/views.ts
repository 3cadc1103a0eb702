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
      alarms: `${s}/alarms`,
      planner: `${s}/p`,
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
        { name: 'f6', label: text('Tasting'), type: 'text', value: text('Dry.\nA long finish.'), multiline: true },
        // Too long to edit on the device, or lines a phone's input would join: shown, and not sent.
        { name: 'f7', label: text('Notes'), type: 'text', value: '', readOnly: { start: text('Bought at the estate in 2001, '), chars: 40_000, readAll: `${d}/r/1`, why: 'long' } },
        { name: 'f8', label: text('Cellar'), type: 'text', value: '', multiline: true, readOnly: { start: text('Row 3,\nshelf 2'), chars: 14, readAll: `${d}/r/1`, why: 'lines' } },
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
      alarmFields: [{ label: text('Return by: the date >= limit, show at login'), url: `${s}/d/c1/4/fields/5/alarm` }],
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
    alarms: {
      title: 'Alarms',
      ...nav,
      notices: [
        ['Wine cellar: B-005 Pétrus, Drink from 2020-01-01', '', true],
        ['Wine cellar: B-001 Château Margaux, Bottles < 3 (now 2)', 'SMS sent', true],
        ['Dentist (appointment) at 2026-12-01 10:00', 'Email not sent yet (2 tries: connect ECONNREFUSED 127.0.0.1:25)', false],
        ['Board meeting (meeting) at 2026-12-02 09:00', 'SMS failed: No phone number is set for alarms.', false],
      ].map(([title, state, fresh], i) => ({ mark: '[alarm]', title: text(title as string), when: '2026-12-01 09:45', fresh, state: text(state as string), url: `${d}/r/${i + 1}` })),
      set: `${s}/alarms/set`,
      contact: `${s}/alarms/contact`,
      next: `${s}/alarms?from=4`,
    },
    alarm_list: {
      title: 'Alarms set',
      ...nav,
      alarms: [
        ['Wine cellar: B-002 Château Latour, Drink from 2030-06-01', 'at 2030-06-01 00:00', 'login'],
        ['Wine cellar: B-001 Château Margaux, Bottles < 3 (now 2)', 'holds now', 'SMS'],
        ['Dentist (appointment) at 2026-12-01 10:00', 'at 2026-12-01 09:45', 'Email'],
      ].map(([title, state, channel], i) => ({ title: text(title), state, channel, url: `${d}/r/${i + 1}` })),
      fired: `${s}/alarms`,
      prev: `${s}/alarms/set`,
    },
    contact_form: { title: 'Alarm contact', ...nav, action: `${s}/alarms/contact`, email: text('demo@lab.test'), phone: text('+33612345678'), done: `${s}/alarms`, notice: 'Saved.' },
    alarm_form: {
      title: text('Low stock'),
      ...nav,
      db,
      action: `${d}/fields/6/alarm`,
      watchable: [{ value: '', label: 'the date', selected: false }, { value: text('Bottles'), label: text('Bottles'), selected: true }],
      ops: options(ops, 'lt'),
      events: options([['login', 'Show at login'], ['email', 'Email me'], ['sms', 'SMS me']], 'sms'),
      values: { watch: text('Bottles'), op: 'lt', event: 'sms' },
      cancel: `${d}/fields`,
    },
    planner_day: {
      title: 'Tue 2026-12-01',
      ...nav,
      mark: '[date]',
      events: [['09:00 Board meeting', 'meeting'], ['10:00 Dentist', 'appointment'], ['12:30 Lunch with Alice', 'other'], ['18:00 Call mum', 'call']].map(([label, type], i) => ({ label: text(label), type, url: `${s}/p/e/${i + 1}` })),
      add: `${s}/p/new?day=2026-12-01`,
      week: `${s}/p/week?day=2026-12-01`,
      before: `${s}/p?day=2026-11-30`,
      after: `${s}/p?day=2026-12-02`,
      calendar: `${s}/p/calendar.ics`,
      next: `${s}/p?day=2026-12-01&from=4`,
    },
    planner_week: {
      title: 'Week of 2026-11-30',
      ...nav,
      days: ['Mon 2026-11-30', 'Tue 2026-12-01', 'Wed 2026-12-02', 'Thu 2026-12-03', 'Fri 2026-12-04', 'Sat 2026-12-05', 'Sun 2026-12-06'].map((label, i) => ({
        label,
        url: `${s}/p?day=2026-12-0${i}`,
        count: i % 3,
        first: i % 3 ? text('09:00 Board meeting') : '',
      })),
      before: `${s}/p/week?day=2026-11-23`,
      after: `${s}/p/week?day=2026-12-07`,
      add: `${s}/p/new?day=2026-11-30`,
    },
    event: {
      title: text('Dentist'),
      ...nav,
      mark: '[time]',
      lines: [['Type', 'appointment'], ['When', '2026-12-01 10:00'], ['Duration', '30 min'], ['Reminder', 'Show at login, 15 min before']].map(([label, value]) => ({ label, value: text(value) })),
      edit: `${s}/p/e/1/edit`,
      delete: `${s}/p/e/1/delete`,
      day: `${s}/p?day=2026-12-01`,
    },
    event_form: {
      title: 'Event',
      ...nav,
      action: `${s}/p/e/1/edit`,
      error: text('Time is written HH:MM, from 00:00 to 23:59.'),
      values: { title: text('Dentist'), type: 'appointment', date: text('2026-12-01'), time: text('10:00'), duration: text('30'), remind: 'login', before: text('15') },
      types: options([['meeting', 'meeting'], ['call', 'call'], ['appointment', 'appointment'], ['birthday', 'birthday'], ['task', 'task'], ['other', 'other']], 'appointment'),
      reminds: options([['', 'No reminder'], ['login', 'Show at login'], ['email', 'Email me'], ['sms', 'SMS me']], 'login'),
      cancel: `${s}/p/e/1`,
    },
    ...mailModels(s, nav, text),
  };
}

/** The mail views (gateway/routes/mail.ts). */
function mailModels(s: string, nav: Record<string, string>, text: (s: string) => string): Record<string, Record<string, unknown>> {
  const m = `${s}/mail`;
  const accounts = [
    { value: '1', label: text('Work <ann@work.example>'), selected: true },
    { value: '2', label: text('Home <ann@home.example>'), selected: false },
  ];
  return {
    mail_home: {
      title: 'Mail',
      ...nav,
      folders: [
        { label: text('Inbox (12, 3 new)'), url: `${m}/f/inbox`, unread: '[mail]' },
        { label: text('Sent (4)'), url: `${m}/f/sent` },
        { label: text('Outbox (1)'), url: `${m}/f/outbox` },
      ],
      write: `${m}/write`,
      accounts: [
        { name: text('Work'), check: `${m}/a/1/check`, edit: `${m}/a/1`, problem: text('') },
        { name: text('Home'), check: `${m}/a/2/check`, edit: `${m}/a/2`, problem: text('The server pop.home.example:110 cannot be reached. Try again after 14:05 UTC.') },
      ],
      newAccount: `${m}/a/new`,
    },
    mail_list: {
      title: 'Inbox',
      ...nav,
      notice: text('3 new messages.'),
      items: ['Bob: Lunch on Friday?', 'Tanaka: 会議の件', 'Shop: Your order has shipped', 'Carol: Re: Minutes'].map((label, i) => ({ url: `${m}/m/${i + 1}`, label: text(label), date: '11-30 09:15', unread: i < 2 ? '[mail]' : '' })),
      empty: false,
      write: `${m}/write`,
      mail: m,
      next: `${m}/f/inbox?from=4`,
    },
    mail_message: {
      title: text('Lunch on Friday?'),
      ...nav,
      lines: [
        ['From', 'Bob <bob@example.com>'], ['To', 'ann@work.example'], ['Date', '2026-11-30 09:15'], ['Subject', 'Lunch on Friday?'],
        ['', 'Hi Ann,'], ['', ' '], ['', 'shall we try the new place on Friday at noon?'], ['', '> Earlier text'],
      ].map(([label, value]) => ({ label, value: text(value) })),
      attachments: [{ label: text('menu.pdf (12 KB)'), url: `${m}/file/7` }, { label: text('photo.jpg (2048 KB, over your quota: not kept)') }],
      error: text('Not sent: The server smtp.work.example:25 cannot be reached. It waits in your outbox.'),
      sendAgain: `${m}/m/1/send`,
      reply: `${m}/write?reply=1`,
      forward: `${m}/write?forward=1`,
      back: `${m}/f/inbox`,
      backLabel: 'Inbox',
      next: `${m}/m/1?from=8`,
    },
    mail_compose: {
      title: 'Reply',
      ...nav,
      action: `${m}/write?reply=1`,
      accounts,
      account: '1',
      values: { to: text('bob@example.com'), cc: text(''), subject: text(''), body: text('Friday is fine.') },
      about: text('Re: Lunch on Friday? (quoted below your text)'),
      error: text('"bob@" is not an e-mail address.'),
      cancel: m,
    },
    mail_account: {
      title: 'Mail account',
      ...nav,
      action: `${m}/a/1`,
      values: Object.fromEntries(
        [['name', 'Work'], ['address', 'ann@work.example'], ['protocol', 'imap'], ['incoming', 'imap.work.example:993'], ['tls', '1'], ['login', 'ann'], ['password', ''], ['outgoing', 'smtp.work.example:465'], ['outTls', '1'], ['outLogin', 'ann'], ['outPassword', '']].map(([k, v]) => [k, text(v)]),
      ),
      protocols: [{ value: 'imap', label: 'IMAP', selected: true }, { value: 'pop3', label: 'POP3', selected: false }],
      keepPassword: true,
      cancel: m,
    },
  };
}

