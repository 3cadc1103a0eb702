// Checks shared by the vCard and the vCalendar tests.
import type { ExecutionContext } from 'ava';

export interface Codec<F, V extends string> {
  read(text: string): { fields: F; version: V };
  write(fields: F, version: V, base: string): string;
  /** The other version of the same format. */
  other(version: V): V;
  /** The property names an item holds, in the order compared. */
  names(text: string): string[];
}

/** Each item, written in the other version and back, keeps its fields and its properties. */
export function convertsBothWays<F, V extends string>(t: ExecutionContext, items: Array<{ where: string; text: string }>, codec: Codec<F, V>): void {
  for (const { where, text } of items) {
    const first = codec.read(text);
    const converted = codec.write(first.fields, codec.other(first.version), text);
    t.deepEqual(codec.read(converted).fields, first.fields, where);
    const back = codec.write(first.fields, first.version, converted);
    t.deepEqual(codec.names(back), codec.names(text), where);
    t.deepEqual(codec.read(back).fields, first.fields, where);
  }
}
