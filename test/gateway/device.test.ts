// Device detection from what real handsets, gateways and browsers send.
import test from 'ava';
import { detectDevice, prefersWmlc, MAX_BUDGET, MIN_BUDGET, type Device, type DeviceHints } from '../../gateway/device.ts';

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
  t.like(detectDevice({ override: 'wml' }), { budget: 1397, budgetFrom: 'class', charset: 'utf-8' });
  t.like(detectDevice({ override: 'chtml' }), { budget: 5120, budgetFrom: 'class', charset: 'shift_jis' });
  t.like(detectDevice({ override: 'html' }), { budget: 10240, budgetFrom: 'class', charset: 'utf-8' });
});

const NOKIA_6210 = { accept: NOKIA_6210_ACCEPT, userAgent: 'Nokia6210/1.0 (04.40)' };
const KB = 1024;

// What each device and its gateway say about the page size, most specific first.
const BUDGET_CASES: [string, DeviceHints, Partial<Device>][] = [
  ['a Nokia 6210 through Kannel declaring its SDU', { ...NOKIA_6210, clientSduSize: '1400' }, { markup: 'wml', budget: 1400, budgetFrom: 'sdu' }],
  ['an Ericsson R380 declaring 3,500 bytes', { userAgent: 'EricssonR380/R4C', clientSduSize: ' 3500 ' }, { budget: 3500, budgetFrom: 'sdu' }],
  ['the SDU wins over the UAProf deck size', { ...NOKIA_6210, clientSduSize: '2800', profileDeckSize: 1397 }, { budget: 2800, budgetFrom: 'sdu' }],
  ['a Nokia 6310i whose UAProf says 32,200', { userAgent: 'Nokia6310i/1.0 (4.06)', accept: 'text/vnd.wap.wml', profileDeckSize: 32200 }, { budget: 32200, budgetFrom: 'profile' }],
  ['a Nokia 7110 with no SDU and no profile', { userAgent: 'Nokia7110/1.0 (05.01)' }, { budget: 1397, budgetFrom: 'class' }],
  ['an SDU of 0 says nothing: the profile decides', { ...NOKIA_6210, clientSduSize: '0', profileDeckSize: 2800 }, { budget: 2800, budgetFrom: 'profile' }],
  ['an SDU of 0 and nothing else: the class default', { ...NOKIA_6210, clientSduSize: '0' }, { budget: 1397, budgetFrom: 'class' }],
  ['an SDU of 10 GB is clamped', { ...NOKIA_6210, clientSduSize: String(10 * 1024 ** 3) }, { budget: MAX_BUDGET, budgetFrom: 'sdu' }],
  ['an SDU too long to be a number is clamped', { ...NOKIA_6210, clientSduSize: '99999999999999999999' }, { budget: MAX_BUDGET, budgetFrom: 'sdu' }],
  ['a tiny SDU is raised to the floor', { ...NOKIA_6210, clientSduSize: '12' }, { budget: MIN_BUDGET, budgetFrom: 'sdu' }],
  ['a garbled SDU is ignored', { ...NOKIA_6210, clientSduSize: '1400 bytes' }, { budget: 1397, budgetFrom: 'class' }],
  ['a negative SDU is ignored', { ...NOKIA_6210, clientSduSize: '-1400' }, { budget: 1397, budgetFrom: 'class' }],
  ['a silly profile deck size is clamped', { ...NOKIA_6210, profileDeckSize: 1e12 }, { budget: MAX_BUDGET, budgetFrom: 'profile' }],
  ['a profile deck size of 0 says nothing', { ...NOKIA_6210, profileDeckSize: 0 }, { budget: 1397, budgetFrom: 'class' }],
  ['a WML deck size does not size an HTML page', { userAgent: 'curl/7.88.1', profileDeckSize: 1397 }, { markup: 'html', budget: 10240, budgetFrom: 'class' }],
  ['an F503i with c10', { userAgent: 'DoCoMo/1.0/F503i/c10' }, { markup: 'chtml', budget: 10 * KB, budgetFrom: 'user-agent' }],
  ['a P503i with c10 and a serial number', { userAgent: 'DoCoMo/1.0/P503i/c10/serNMABH200331' }, { budget: 10 * KB, budgetFrom: 'user-agent' }],
  ['a 501i-era mova with c5', { userAgent: 'DoCoMo/1.0/N501i/c5' }, { budget: 5 * KB }],
  ['a D505i with c20 and its screen', { userAgent: 'DoCoMo/1.0/D505i/c20/TC/W20H10' }, { budget: 20 * KB, screen: { cols: 20, rows: 10 } }],
  ['a FOMA N2001 with c100', { userAgent: 'DoCoMo/2.0 N2001(c100;TB;W24H12)' }, { budget: 100 * KB, budgetFrom: 'user-agent', screen: { cols: 24, rows: 12 } }],
  ['a FOMA N901iS', { userAgent: 'DoCoMo/2.0 N901iS(c100;TB;W24H12)' }, { budget: 100 * KB, screen: { cols: 24, rows: 12 } }],
  ['a FOMA with a serial and a card id', { userAgent: 'DoCoMo/2.0 P902i(c100;TB;W24H12;ser123456789012345;icc8981100000000000000f)' }, { budget: 100 * KB, screen: { cols: 24, rows: 12 } }],
  ['an i-mode browser 2.0 with c500', { userAgent: 'DoCoMo/2.0 P07A3(c500;TB;W24H15)' }, { budget: 500 * KB, screen: { cols: 24, rows: 15 } }],
  ['an i-mode UA with no cache field: 5 KB', { userAgent: 'DoCoMo/1.0/P502i' }, { budget: 5 * KB, budgetFrom: 'user-agent', screen: undefined }],
  ['a J-PHONE: the cHTML default', { userAgent: 'J-PHONE/4.0/J-SH51/SNJSHA3029293 SH/0001aa Profile/MIDP-1.0 Configuration/CLDC-1.0 Ext-Profile/JSCL-1.1.0' }, { budget: 5120, budgetFrom: 'class' }],
  ['a KDDI phone: the cHTML default', { userAgent: 'KDDI-SN31 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0' }, { budget: 5120, budgetFrom: 'class' }],
  ['an i-mode phone forced to HTML keeps the HTML default', { userAgent: 'DoCoMo/2.0 N901iS(c100;TB;W24H12)', override: 'html' }, { markup: 'html', budget: 10240, screen: undefined }],
  ['a dial-up browser', { accept: CHROME_ACCEPT, userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' }, { budget: 10240, budgetFrom: 'class' }],
];

for (const [who, hints, expected] of BUDGET_CASES) {
  test(`budget: ${who}`, (t) => {
    const device = detectDevice(hints);
    t.like(device, expected);
    if ('screen' in expected && expected.screen === undefined) t.false('screen' in device);
  });
}

// Whether a WML device prefers compiled WML (WBXML), from its Accept header.
const WBXML_CASES: [string, DeviceHints, boolean][] = [
  ['a Nokia 6210: wmlc first, wml last, same q', NOKIA_6210, true],
  ['a Nokia 7110 naming wmlc and not wml', { accept: 'application/vnd.wap.wmlc, image/vnd.wap.wbmp', userAgent: 'Nokia7110/1.0 (05.01)' }, true],
  ['wml first, wmlc later at the same q', { accept: 'text/vnd.wap.wml, application/vnd.wap.wmlc' }, false],
  ['wml first but at a lower q', { accept: 'text/vnd.wap.wml;q=0.5, application/vnd.wap.wmlc' }, true],
  ['wmlc first but at a lower q', { accept: 'application/vnd.wap.wmlc;q=0.5, text/vnd.wap.wml' }, false],
  ['wmlc refused with q=0', { accept: 'application/vnd.wap.wmlc;q=0, text/vnd.wap.wml;q=0.1' }, false],
  ['wmlc only, refused with q=0', { accept: 'application/vnd.wap.wmlc; q=0', userAgent: 'Nokia7110/1.0 (05.01)' }, false],
  ['spaces and an upper-case Q', { accept: 'text/vnd.wap.wml ; Q=0.8 , application/vnd.wap.wmlc ; Q=0.9' }, true],
  ['textual WML only', { accept: 'text/vnd.wap.wml;q=0.9', userAgent: 'fakewap' }, false],
  ['a WAP phone with no Accept', { userAgent: 'Nokia7110/1.0 (05.01)' }, false],
  ['a desktop browser forced to WML', { accept: CHROME_ACCEPT, override: 'wml' }, false],
  ['a wmlc Accept forced to HTML gets no WBXML', { ...NOKIA_6210, override: 'html' }, false],
  ['an i-mode phone', { userAgent: 'DoCoMo/2.0 N901iS(c100;TB;W24H12)', accept: '*/*' }, false],
];

for (const [who, hints, wbxml] of WBXML_CASES) {
  test(`wbxml: ${who} → ${wbxml}`, (t) => {
    t.is(detectDevice(hints).wbxml, wbxml);
  });
}

test('prefersWmlc reads the Accept header alone', (t) => {
  t.true(prefersWmlc(NOKIA_6210_ACCEPT));
  t.false(prefersWmlc(undefined));
  t.false(prefersWmlc(''));
  t.false(prefersWmlc('*/*'));
});

test('detection is pure: the same hints give the same device, and the hints are not touched', (t) => {
  const hints = Object.freeze({ ...NOKIA_6210, clientSduSize: '2000', profileDeckSize: 1000 });
  t.deepEqual(detectDevice(hints), detectDevice({ ...hints }));
});

test('an i-mode handset gets Shift_JIS unless its Accept-Charset ranks UTF-8 first', (t) => {
  const ua = 'DoCoMo/2.0 N901iS(c100;TB;W24H12)';
  t.is(detectDevice({ userAgent: ua }).charset, 'shift_jis');
  t.is(detectDevice({ userAgent: ua, acceptCharset: 'Shift_JIS' }).charset, 'shift_jis');
  t.is(detectDevice({ userAgent: ua, acceptCharset: 'iso-8859-1' }).charset, 'shift_jis', 'a list without UTF-8 keeps the i-mode default');
  t.is(detectDevice({ userAgent: ua, acceptCharset: 'shift_jis;q=1, utf-8;q=0.5' }).charset, 'shift_jis');
  t.is(detectDevice({ userAgent: ua, acceptCharset: 'utf-8, shift_jis;q=0.5' }).charset, 'utf-8');
  t.is(detectDevice({ userAgent: 'Nokia7110/1.0 (05.01)', acceptCharset: 'shift_jis' }).charset, 'utf-8', 'WML is always UTF-8');
});
