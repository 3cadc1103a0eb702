// Starts the gateway: open the stores, create the demo on first start, listen.
import type { AddressInfo } from 'node:net';
import { readConfig } from './config.ts';
import { createApp } from './app.ts';
import { Portal } from '../core/portal.ts';
import { seedDemo } from '../core/demo.ts';

const config = readConfig();
const portal = await Portal.open(config.storeUrl);
if (config.demo && (await seedDemo(portal))) console.log('First start: created cells c1, c2 and the demo account demo / demo.');
const server = createApp(portal, { compileWml: config.compileWml }).listen(config.port, config.host, () => {
  const { port } = server.address() as AddressInfo;
  console.log(`Gateway listening on http://${config.host}:${port}/ (stores: ${config.storeUrl})`);
});

const stop = () => server.close(() => portal.close().then(() => process.exit(0)));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
