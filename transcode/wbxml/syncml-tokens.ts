// The WBXML token tables of SyncML 1.1 / 1.2 (code page 0 SyncML, code page 1 MetInf) and of
// DevInf 1.1 / 1.2 (its own document type, code page 0), as data for code-pages.ts.
// Sources: SyncML Representation Protocol 1.1 and OMA-TS-SyncML_RepPro-V1_2 ("WBXML code page
// tokens"), SyncML Meta Information 1.1 / OMA-TS-SyncML_MetaInfo-V1_2, SyncML Device Information
// 1.1 / OMA-TS-DS_DevInf-V1_2; public identifiers from the OMNA WBXML registry. Checked against
// the recorded SyncEvolution WBXML sessions and libwbxml2's wbxml2xml/xml2wbxml (test/transcode).
import type { CodePage, TagRow, Vocabulary } from './code-pages.ts';

const SYNCML_TAGS: readonly TagRow[] = [
  [0x05, 'Add'], [0x06, 'Alert'], [0x07, 'Archive'], [0x08, 'Atomic'], [0x09, 'Chal'], [0x0a, 'Cmd'],
  [0x0b, 'CmdID'], [0x0c, 'CmdRef'], [0x0d, 'Copy'], [0x0e, 'Cred'], [0x0f, 'Data'], [0x10, 'Delete'],
  [0x11, 'Exec'], [0x12, 'Final'], [0x13, 'Get'], [0x14, 'Item'], [0x15, 'Lang'], [0x16, 'LocName'],
  [0x17, 'LocURI'], [0x18, 'Map'], [0x19, 'MapItem'], [0x1a, 'Meta'], [0x1b, 'MsgID'], [0x1c, 'MsgRef'],
  [0x1d, 'NoResp'], [0x1e, 'NoResults'], [0x1f, 'Put'], [0x20, 'Replace'], [0x21, 'RespURI'],
  [0x22, 'Results'], [0x23, 'Search'], [0x24, 'Sequence'], [0x25, 'SessionID'], [0x26, 'SftDel'],
  [0x27, 'Source'], [0x28, 'SourceRef'], [0x29, 'Status'], [0x2a, 'Sync'], [0x2b, 'SyncBody'],
  [0x2c, 'SyncHdr'], [0x2d, 'SyncML'], [0x2e, 'Target'], [0x2f, 'TargetRef'],
  // 0x30 is reserved.
  [0x31, 'VerDTD'], [0x32, 'VerProto'], [0x33, 'NumberOfChanges'], [0x34, 'MoreData'],
  [0x35, 'Field', '1.2'], [0x36, 'Filter', '1.2'], [0x37, 'Record', '1.2'], [0x38, 'FilterType', '1.2'],
  [0x39, 'SourceParent', '1.2'], [0x3a, 'TargetParent', '1.2'], [0x3b, 'Move', '1.2'], [0x3c, 'Correlator', '1.2'],
];

const METINF_TAGS: readonly TagRow[] = [
  [0x05, 'Anchor'], [0x06, 'EMI'], [0x07, 'Format'], [0x08, 'FreeID'], [0x09, 'FreeMem'], [0x0a, 'Last'],
  [0x0b, 'Mark'], [0x0c, 'MaxMsgSize'], [0x0d, 'Mem'], [0x0e, 'MetInf'], [0x0f, 'Next'], [0x10, 'NextNonce'],
  [0x11, 'SharedMem'], [0x12, 'Size'], [0x13, 'Type'], [0x14, 'Version'], [0x15, 'MaxObjSize'],
  [0x16, 'FieldLevel', '1.2'],
];

const DEVINF_TAGS: readonly TagRow[] = [
  [0x05, 'CTCap'], [0x06, 'CTType'], [0x07, 'DataStore'], [0x08, 'DataType'], [0x09, 'DevID'], [0x0a, 'DevInf'],
  [0x0b, 'DevTyp'], [0x0c, 'DisplayName'], [0x0d, 'DSMem'], [0x0e, 'Ext'], [0x0f, 'FwV'], [0x10, 'HwV'],
  [0x11, 'Man'], [0x12, 'MaxGUIDSize'], [0x13, 'MaxID'], [0x14, 'MaxMem'], [0x15, 'Mod'], [0x16, 'OEM'],
  [0x17, 'ParamName'], [0x18, 'PropName'], [0x19, 'Rx'], [0x1a, 'Rx-Pref'], [0x1b, 'SharedMem'], [0x1c, 'Size'],
  [0x1d, 'SourceRef'], [0x1e, 'SwV'], [0x1f, 'SyncCap'], [0x20, 'SyncType'], [0x21, 'Tx'], [0x22, 'Tx-Pref'],
  [0x23, 'ValEnum'], [0x24, 'VerCT'], [0x25, 'VerDTD'], [0x26, 'XNam'], [0x27, 'XVal'],
  [0x28, 'UTC', '1.1'], [0x29, 'SupportNumberOfChanges', '1.1'], [0x2a, 'SupportLargeObjs', '1.1'],
  [0x2b, 'Property', '1.2'], [0x2c, 'PropParam', '1.2'], [0x2d, 'MaxOccur', '1.2'], [0x2e, 'NoTruncate', '1.2'],
  // 0x2F is reserved.
  [0x30, 'Filter-Rx', '1.2'], [0x31, 'FilterCap', '1.2'], [0x32, 'FilterKeyword', '1.2'], [0x33, 'FieldLevel', '1.2'],
  [0x34, 'SupportHierarchicalSync', '1.2'],
];

export const METINF_NAMESPACE = 'syncml:metinf';
export const DEVINF_NAMESPACE = 'syncml:devinf';

function syncml(version: '1.1' | '1.2', publicId: number): Vocabulary {
  const pages: CodePage[] = [
    { page: 0, namespace: `SYNCML:SYNCML${version}`, tags: SYNCML_TAGS },
    { page: 1, namespace: METINF_NAMESPACE, tags: METINF_TAGS },
  ];
  return { name: `SyncML ${version}`, version, publicId, fpi: `-//SYNCML//DTD SyncML ${version}//EN`, pages };
}

function devinf(version: '1.1' | '1.2', publicId: number): Vocabulary {
  return { name: `DevInf ${version}`, version, publicId, fpi: `-//SYNCML//DTD DevInf ${version}//EN`, pages: [{ page: 0, namespace: DEVINF_NAMESPACE, tags: DEVINF_TAGS }] };
}

export const SYNCML_11 = syncml('1.1', 0x0fd3);
export const SYNCML_12 = syncml('1.2', 0x1201);
export const DEVINF_11 = devinf('1.1', 0x0fd4);
export const DEVINF_12 = devinf('1.2', 0x1203);

export const SYNCML_VOCABULARIES: readonly Vocabulary[] = [SYNCML_11, SYNCML_12];
export const DEVINF_VOCABULARIES: readonly Vocabulary[] = [DEVINF_11, DEVINF_12];
