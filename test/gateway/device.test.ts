// Device detection from what real handsets, gateways and browsers send.
import test from 'ava';
import { detectDevice } from '../../gateway/device.ts';

const NOKIA_6210_ACCEPT = 'application/vnd.wap.wtls-ca-certificate, application/vnd.wap.wmlscriptc, application/vnd.wap.wmlc, image/vnd.wap.wbmp, text/plain, text/vnd.wap.wmlscript, text/html, text/vnd.wap.wml';
const CHROME_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

const CASES: [string, { accept?: string; userAgent?: string; override?: string }, 'wml' | 'chtml' | 'html'][] = [
  ['Nokia 6210 through a WAP gateway', { accept: NOKIA_6210_ACCEPT, userAgent: 'Nokia6210/1.0 (04.40)' }, 'wml'],
  ['Nokia 7110 with a WBXML-only Accept', { accept: 'application/vnd.wap.wmlc, image/vnd.wap.wbmp', userAgent: 'Nokia7110/1.0 (05.01)' }, 'wml'],
  ['a WML Accept with parameters', { accept: 'text/vnd.wap.wml;q=0.9', userAgent: 'fakewap' }, 'wml'],
  ['a Nokia 7110 that sends no Accept', { userAgent: 'Nokia7110/1.0 (05.01)' }, 'wml'],
  ['an Ericsson R320', { userAgent: 'EricssonR320/R1A' }, 'wml'],
  ['a Siemens S45', { userAgent: 'SIE-S45/00 UP/4.1.8c UP.Browser/4.1.8c-XXXX' }, 'wml'],
  ['an UP.Browser 4 behind UP.Link', { userAgent: 'UP.Browser/4.1.26l UP.Link/4.2.3.5h' }, 'wml'],
  ['i-mode mova with a cache field', { userAgent: 'DoCoMo/1.0/D505i/c20/TC/W20H10', accept: '*/*' }, 'chtml'],
  ['i-mode mova without one', { userAgent: 'DoCoMo/1.0/P503i/c10/serNMABH200331' }, 'chtml'],
  ['i-mode FOMA', { userAgent: 'DoCoMo/2.0 N901iS(c100;TB;W24H12)' }, 'chtml'],
  ['J-PHONE', { userAgent: 'J-PHONE/4.0/J-SH51/SNJSHA3029293 SH/0001aa Profile/MIDP-1.0 Configuration/CLDC-1.0 Ext-Profile/JSCL-1.1.0' }, 'chtml'],
  ['SoftBank', { userAgent: 'SoftBank/1.0/910T/TJ001/SN000000000000000 Browser/NetFront/3.3 Profile/MIDP-2.0 Configuration/CLDC-1.1' }, 'chtml'],
  ['desktop Chromium', { accept: CHROME_ACCEPT, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36' }, 'html'],
  ['lynx', { accept: 'text/html, text/plain, text/sgml, */*;q=0.01', userAgent: 'Lynx/2.9.0dev.12 libwww-FM/2.14 SSL-MM/1.4.1 GNUTLS/3.7.9' }, 'html'],
  ['curl with no Accept', { userAgent: 'curl/7.88.1' }, 'html'],
  ['no headers at all', {}, 'html'],
  ['an override to WML from a browser', { accept: CHROME_ACCEPT, override: 'wml' }, 'wml'],
  ['an override to cHTML', { override: 'CHTML' }, 'chtml'],
  ['an override to HTML from a phone', { userAgent: 'Nokia7110/1.0 (05.01)', override: 'html' }, 'html'],
  ['a nonsense override is ignored', { userAgent: 'Nokia7110/1.0 (05.01)', override: 'vrml' }, 'wml'],
  ['a type that only looks like WML', { accept: 'text/vnd.wap.wmlscript' }, 'html'],
];

for (const [who, hints, markup] of CASES) {
  test(`${who} gets ${markup}`, (t) => {
    t.is(detectDevice(hints).markup, markup);
  });
}

test('budgets and charsets follow the class', (t) => {
  t.like(detectDevice({ override: 'wml' }), { budget: 1400, charset: 'utf-8' });
  t.like(detectDevice({ override: 'chtml' }), { budget: 5120, charset: 'shift_jis' });
  t.like(detectDevice({ override: 'html' }), { budget: 10240, charset: 'utf-8' });
});
