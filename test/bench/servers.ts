// Runs in a child process for the throughput benchmark, so load and server use separate cores:
// a bare Koa app answering a constant string, and the gateway over the demo data.
import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Portal } from '../../core/portal.ts';
import { seedDemo } from '../../core/demo.ts';
import { createApp } from '../../gateway/app.ts';

const listen = (app: { listen: Koa['listen'] }) =>
  new Promise<number>((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });

const bare = new Koa();
bare.use((ctx) => {
  ctx.body = 'Hello from a bare Koa app';
});

const portal = await Portal.open(`sqlite:${mkdtempSync(join(tmpdir(), 'gw-bench-'))}`);
await seedDemo(portal);
const { session } = await portal.login('demo', 'demo');
const ref = (await portal.databases({ login: 'demo', cellId: session.cellId }))[0];

// The parent asks for this process's CPU time around each round: CPU per request is steadier
// than requests per second on a shared machine.
process.on('message', (m) => m === 'cpu' && process.send!({ cpu: process.cpuUsage() }));

process.send!({
  bare: `http://127.0.0.1:${await listen(bare)}/`,
  list: `http://127.0.0.1:${await listen(createApp(portal))}/s/${session.token}/d/${ref.cellId}/${ref.dbId}`,
});
