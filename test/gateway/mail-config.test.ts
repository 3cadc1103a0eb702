// The mail settings a deployment gives in its environment.
import test from 'ava';
import { readConfig } from '../../gateway/config.ts';
import { MAIL_DEFAULTS } from '../../core/mail/settings.ts';

test('mail settings come from the environment, with defaults, and a bad value stops the start', (t) => {
  t.deepEqual(readConfig({}).mail, MAIL_DEFAULTS);
  const set = readConfig({ MAIL_CONNECTIONS_PER_SERVER: '4', MAIL_TIMEOUT_MS: '5000', MAIL_RETRY_MS: '120000', FILE_QUOTA_BYTES: '1048576' }).mail;
  t.deepEqual(set, { perServer: 4, timeoutMs: 5000, retryMs: 120000, quota: 1048576 });
  for (const [name, value] of [['MAIL_CONNECTIONS_PER_SERVER', '0'], ['MAIL_TIMEOUT_MS', 'soon'], ['FILE_QUOTA_BYTES', '-1'], ['MAIL_RETRY_MS', '1.5']]) {
    t.throws(() => readConfig({ [name]: value }), { message: new RegExp(`${name} must be a whole number of at least 1`) });
  }
});

test('the mail retry tick and the alarm tick: milliseconds, 0 turns them off, a bad value stops the start', (t) => {
  t.like(readConfig({}), { mailRetryTickMs: 30_000, alarmTickMs: 30_000 });
  t.like(readConfig({ MAIL_RETRY_TICK_MS: '0', ALARM_TICK_MS: '250' }), { mailRetryTickMs: 0, alarmTickMs: 250 });
  for (const name of ['MAIL_RETRY_TICK_MS', 'ALARM_TICK_MS']) {
    for (const value of ['-1', 'often', '1.5']) t.throws(() => readConfig({ [name]: value }), { message: new RegExp(`${name} must be a whole number of at least 0`) });
  }
});
