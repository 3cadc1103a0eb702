// Device class detection: which markup, how many bytes a page may take, which charset.
export type Markup = 'wml' | 'chtml' | 'html';
export type Charset = 'utf-8' | 'shift_jis';

export interface Device {
  markup: Markup;
  /** Most bytes one page may take on the wire, after encoding. */
  budget: number;
  charset: Charset;
}
