// The servers' queue alone: first in, first out per server, a bound per server, a time limit.
import test from 'ava';
import { ServerQueue, TimeoutError } from '../../../core/mail/queue.ts';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('jobs for one server run in arrival order, at most the bound at once; other servers do not wait', async (t) => {
  const queue = new ServerQueue({ perServer: 2, timeoutMs: 5000 });
  const started: string[] = [];
  let open = 0;
  let most = 0;
  const job = (name: string, ms: number) => async () => {
    started.push(name);
    most = Math.max(most, ++open);
    await pause(ms);
    open--;
    return name;
  };
  const a = ['a1', 'a2', 'a3', 'a4', 'a5'].map((n) => queue.run('a:143', job(n, 30)));
  t.is(queue.waiting('a:143'), 3);
  const b = queue.run('b:143', job('b1', 1));
  t.is(await b, 'b1');
  t.deepEqual(started.slice(0, 3), ['a1', 'a2', 'b1'], 'b did not wait behind a');
  t.deepEqual(await Promise.all(a), ['a1', 'a2', 'a3', 'a4', 'a5']);
  t.deepEqual(started.filter((s) => s.startsWith('a')), ['a1', 'a2', 'a3', 'a4', 'a5']);
  t.is(most, 2 + 1, 'two of a, and b beside them');
  t.is(queue.waiting('a:143'), 0);
});

test('a job over its time is aborted and fails with TimeoutError; the next one starts', async (t) => {
  const queue = new ServerQueue({ perServer: 1, timeoutMs: 50 });
  let aborted = false;
  const slow = queue.run('s:25', (signal) => new Promise((resolve) => signal.addEventListener('abort', () => ((aborted = true), resolve('late')))));
  const next = queue.run('s:25', async () => 'next');
  await t.throwsAsync(slow, { instanceOf: TimeoutError });
  t.true(aborted, 'the job was told to stop');
  t.is(await next, 'next');
});

test('a failing job frees its place', async (t) => {
  const queue = new ServerQueue({ perServer: 1, timeoutMs: 1000 });
  const bad = queue.run('x:1', async () => {
    throw new Error('refused');
  });
  const good = queue.run('x:1', async () => 'ok');
  await t.throwsAsync(bad, { message: 'refused' });
  t.is(await good, 'ok');
});
