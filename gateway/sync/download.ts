// The downloadable client (seed 001's "PIM Downloadable"): a shell script that configures
// SyncEvolution for this server, the user's login and both databases, so that a desktop address
// book and calendar sync in one command (`syncevolution lowband`). The password is asked for once
// when the script runs (or taken from LOWBAND_PASSWORD) and is never in the download.

/** Where the desktop keeps the data: Evolution's address book and calendar, or plain files. */
export const PIMS = {
  evolution: 'Evolution (GNOME) address book and calendar',
  files: 'Plain vCard / iCalendar files in ~/lowband',
} as const;
export type PimName = keyof typeof PIMS;

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function syncEvolutionScript(o: { serverUrl: string; login: string; pim: PimName }): string {
  const stores =
    o.pim === 'evolution'
      ? [
          ['addressbook', 'backend=evolution-contacts', 'addressbook'],
          ['calendar', 'backend=evolution-calendar', 'calendar'],
        ]
      : [
          ['addressbook', 'backend=file databaseFormat=text/vcard "database=file://$DATA/contacts"', 'addressbook'],
          ['calendar', 'backend=file databaseFormat=text/calendar "database=file://$DATA/calendar"', 'calendar'],
        ];
  return [
    '#!/bin/sh',
    `# SyncEvolution configuration for ${o.login} at ${o.serverUrl}`,
    `# (${PIMS[o.pim]}). Run it once: sh syncevolution-${o.pim}.sh`,
    '# Then sync whenever you like:      syncevolution lowband',
    '# The first sync is a slow one:     syncevolution --sync slow lowband',
    'set -eu',
    'command -v syncevolution >/dev/null || { echo "Install SyncEvolution first (apt-get install syncevolution)." >&2; exit 1; }',
    'DATA=${LOWBAND_DATA:-$HOME/lowband}',
    'PASSWORD=${LOWBAND_PASSWORD:-}',
    'if [ -z "$PASSWORD" ]; then',
    `  printf 'Password of %s: ' ${quote(o.login)}; stty -echo 2>/dev/null || true; read -r PASSWORD; stty echo 2>/dev/null || true; echo`,
    'fi',
    ...(o.pim === 'files' ? ['mkdir -p "$DATA/contacts" "$DATA/calendar"'] : []),
    'DEVICE=lowband-pim-$(hostname | tr -cd "A-Za-z0-9-")-$(id -u)',
    `syncevolution --daemon=no --configure --template none syncURL=${quote(o.serverUrl)} username=${quote(o.login)} "password=$PASSWORD" \\`,
    '  "deviceId=$DEVICE" keyring=no printChanges=0 dumpData=0 lowband',
    ...stores.map(([name, backend, uri]) => `syncevolution --daemon=no --configure ${backend} uri=${uri} sync=two-way lowband ${name}`),
    'echo "Configured. Sync with: syncevolution lowband (the first time: syncevolution --sync slow lowband)"',
    '',
  ].join('\n');
}
