// Starts the gateway: open the stores, create the demo on first start, listen (HTTP, and HTTPS and
// the legacy TLS endpoint when configured).
import type { AddressInfo } from 'node:net';
import type { Server as HttpsServer } from 'node:https';
import { readConfig } from './config.ts';
import { createApp } from './app.ts';
import { loadOrCreateCertificate, startHttps } from './tls.ts';
import { startLegacyTls, type LegacyTlsServer } from './legacy-tls.ts';
import { openDeployment } from '../core/deployment.ts';
import { startWatchdog } from '../core/dispatch/watchdog.ts';
import { startWatchdogs } from '../core/alarms/run.ts';
import { startMailRetries } from '../core/mail/run.ts';
import { emailChannel } from '../core/alarms/email.ts';
import { smsChannel } from '../core/alarms/sms.ts';

const config = readConfig();
const portal = await openDeployment(config, console.log, { mail: config.mail });
const stopRebalancing = config.watchdogSeconds ? startWatchdog(portal, config.watchdogSeconds, config.rebalance) : async () => {};
const app = createApp(portal, { compileWml: config.compileWml });
const server = app.listen(config.port, config.host, () => {
  const { port } = server.address() as AddressInfo;
  console.log(`Gateway listening on http://${config.host}:${port}/ (stores: ${config.storeUrl})`);
});

// The alarm watchdogs run here, one per cell, sending through the channels configured.
const channels = {
  email: config.alarmSmtpUrl ? emailChannel({ smtpUrl: config.alarmSmtpUrl, from: config.alarmMailFrom, publicUrl: config.publicUrl }) : undefined,
  sms: config.smsSendsmsUrl ? smsChannel({ sendsmsUrl: config.smsSendsmsUrl, publicUrl: config.publicUrl }) : undefined,
};
const stopWatchdogs = config.alarmTickMs > 0 ? await startWatchdogs(portal, channels, config.alarmTickMs) : async () => {};
// Beside them, "try again later" for mail: outbox messages and checks whose wait after a failure is over.
const stopMailRetries = config.mailRetryTickMs > 0 ? await startMailRetries(portal, config.mailRetryTickMs) : async () => {};

let https: HttpsServer | undefined;
let legacy: LegacyTlsServer | undefined;
if (config.tlsPort !== undefined || config.legacyTlsPort !== undefined) {
  const { cert, key, certPath, created } = loadOrCreateCertificate(config.dataDir, config.tlsCert, config.tlsKey, config.tlsHost);
  if (created) console.log(`Created a self-signed certificate for ${config.tlsHost}: ${certPath}`);
  const callback = app.callback();
  if (config.tlsPort !== undefined) {
    https = await startHttps(callback, { port: config.tlsPort, host: config.host, cert, key });
    console.log(`Gateway listening on https://${config.host}:${(https.address() as AddressInfo).port}/ (TLS 1.2 and 1.3)`);
  }
  if (config.legacyTlsPort !== undefined) {
    legacy = await startLegacyTls(callback, { port: config.legacyTlsPort, host: config.host, cert, key, maxConnections: config.legacyTlsMaxConnections });
  }
}

const closed = (s: { close(callback: () => void): unknown } | undefined) => new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve()));
const stop = () => {
  Promise.all([closed(server), closed(https), legacy?.close(), stopRebalancing(), stopWatchdogs(), stopMailRetries()])
    .then(() => portal.close())
    .then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
