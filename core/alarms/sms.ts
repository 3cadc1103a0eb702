// SMS alarms through Kannel's smsbox: one HTTP GET to its sendsms interface per message.
import { smsText } from '../../transcode/gsm.ts';
import type { Channel } from './channels.ts';

export interface SmsOptions {
  /** smsbox's sendsms URL with its account: `http://host:13013/cgi-bin/sendsms?username=…&password=…`. */
  sendsmsUrl: string;
  /** Where the gateway is reached from outside: the SMS links to `<publicUrl>/a/<notice>`. */
  publicUrl: string;
  timeoutMs?: number;
}

export function smsChannel(options: SmsOptions): Channel {
  return {
    async send(phone, notice) {
      const url = new URL(options.sendsmsUrl);
      url.searchParams.set('to', phone);
      url.searchParams.set('text', smsText(`[alarm] ${notice.title}`, `${options.publicUrl.replace(/\/$/, '')}/a/${notice.id}`));
      // The text is GSM 03.38 already; UTF-8 is how it travels to smsbox, which recodes it to 7 bits.
      url.searchParams.set('charset', 'UTF-8');
      url.searchParams.set('coding', '0');
      const reply = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
      const body = (await reply.text()).trim();
      // smsbox answers 202 "0: Accepted for delivery" (or 200 "Sent."); anything else is a refusal.
      if (!reply.ok) throw new Error(`Kannel refused the SMS (${reply.status}): ${body.slice(0, 200)}`);
    },
  };
}
