// Fixed fields read from and written into the properties of a vCard or vCalendar component, in
// place: a field changes only its own property (or component of one), so whatever else the object
// holds (parameters, other components, properties no field maps) is given back as it came.
//
// Interface:
//   interface Family    one property a set of fields lives in: its name, which of several
//                       properties of that name it is (TEL with TYPE=CELL…), parameters of a new one
//   interface Slot<F>   a field: its family, which component (none = the whole value as text),
//                       and optional read/write conversions (dates)
//   readSlots(slots, properties) → Partial<Record<F, string>>
//   writeSlots(slots, properties, fields) → Property[]   the properties with the fields set;
//                       a property whose fields are all cleared and that holds nothing else is dropped
//   hasType(p, type)    whether a TYPE parameter value (case-insensitive) is on the property
import type { Param, Property, Syntax } from './content-line.ts';
import { textOf } from './vobject.ts';

export interface Family {
  name: string;
  matches?(p: Property): boolean;
  /** Parameters of a property this family creates. */
  params?: Param[];
  /** Components of a structured property this family creates (N has 5, ADR 7). */
  size?: number;
}

export interface Slot<F extends string> {
  field: F;
  family: Family;
  /** Index of the component the field is; undefined: the whole value as one text. */
  component?: number;
  /** Stored text → field value; undefined when the text is not one (the property is then left alone). */
  read?(text: string): string | undefined;
  /** Field value → stored text. */
  write?(value: string, syntax: Syntax): string;
}

export function hasType(p: Property, type: string): boolean {
  const t = type.toUpperCase();
  return p.params.some((x) => x.name === 'TYPE' && x.values.some((v) => v.toUpperCase() === t));
}

function slotText<F extends string>(slot: Slot<F>, p: Property): string {
  return slot.component === undefined ? textOf(p) : (p.value[slot.component] ?? []).join(',');
}

function slotValue<F extends string>(slot: Slot<F>, p: Property): string | undefined {
  if (p.binary) return undefined;
  const text = slotText(slot, p);
  return slot.read ? (text === '' ? '' : slot.read(text)) : text;
}

/** Which property each family stands for: the first of its name that it matches, that no earlier family took, and whose fields all read. */
function pick<F extends string>(slots: ReadonlyArray<Slot<F>>, properties: readonly Property[]): Map<Family, Property> {
  const families = [...new Set(slots.map((s) => s.family))];
  const taken = new Set<Property>();
  const picked = new Map<Family, Property>();
  for (const family of families) {
    const own = slots.filter((s) => s.family === family);
    const p = properties.find((x) => x.name === family.name && !taken.has(x) && (family.matches?.(x) ?? true) && own.every((s) => slotValue(s, x) !== undefined));
    if (p) {
      taken.add(p);
      picked.set(family, p);
    }
  }
  return picked;
}

export function readSlots<F extends string>(slots: ReadonlyArray<Slot<F>>, properties: readonly Property[]): Partial<Record<F, string>> {
  const picked = pick(slots, properties);
  const fields: Partial<Record<F, string>> = {};
  for (const slot of slots) {
    const p = picked.get(slot.family);
    const value = p && slotValue(slot, p);
    if (value) fields[slot.field] = value;
  }
  return fields;
}

export function writeSlots<F extends string>(slots: ReadonlyArray<Slot<F>>, properties: readonly Property[], fields: Partial<Record<F, string>>, syntax: Syntax): Property[] {
  const picked = pick(slots, properties);
  const out = [...properties];
  const touched = new Set<Property>();
  for (const slot of slots) {
    const wanted = fields[slot.field] ?? '';
    let p = picked.get(slot.family);
    if (p && slotValue(slot, p) === wanted) continue;
    if (!p) {
      if (!wanted) continue;
      p = { name: slot.family.name, params: structuredClone(slot.family.params ?? []), value: Array.from({ length: slot.family.size ?? 0 }, () => ['']) };
      picked.set(slot.family, p);
      out.push(p);
    } else {
      // A changed copy: the parsed object given in stays as it was.
      const copy: Property = { ...p, value: p.value.map((vs) => [...vs]) };
      out[out.indexOf(p)] = copy;
      picked.set(slot.family, copy);
      p = copy;
    }
    touched.add(p);
    const text = wanted && slot.write ? slot.write(wanted, syntax) : wanted;
    if (slot.component === undefined) p.value = [[text]];
    else {
      while (p.value.length <= slot.component) p.value.push(['']);
      p.value[slot.component] = [text];
    }
  }
  return out.filter((p) => !touched.has(p) || p.value.some((vs) => vs.some((v) => v !== '')));
}
