/**
 * How a protocol declares the bitfields it sends (status words, alarm words, inputs), so that tracker-flags,
 * its help and the docs can name every bit, and so that a decoder that turns alarm bits into `alarms` reads the
 * same table: one name per bit, whoever asks.
 */
import type { TrackerMessage } from '../../types';
import type { AlarmName } from '../../vocabulary';

export type FlagGroup = 'status' | 'alarms' | 'signals' | 'io' | 'valid' | 'app';

export interface FlagBit {
  bit: number;
  name: string;
  /**
   * Alarms only: the terminal clears the bit itself once the platform replied (JT/T 808 "cleared after the
   * reply"), so only its start is an event; other alarms last until their condition ends.
   */
  latched?: boolean;
}

/** Numeric fields of a record that carry raw bitfields. */
export type RawField =
  | 'terminalInfo'
  | 'alarmFlags'
  | 'statusFlags'
  | 'vehicleSignals'
  | 'status'
  | 'systemStatus'
  | 'inputs'
  | 'outputs';

export interface FlagTable {
  /** What the word is, for the help and the docs. */
  title: string;
  /** The record field that carries the word. */
  field: RawField;
  /** Which group of `msg.flags` its bits go to. */
  group: FlagGroup;
  /** Only for records that match (e.g. one JT600 record layout). */
  when?: Partial<Pick<TrackerMessage, 'statusFormat'>>;
  /** The device writes the word in negative logic: a bit at 0 means its condition holds (H02 status). */
  activeLow?: boolean;
  bits: FlagBit[];
}

/** An alarm word's table: its names are alarm names of the vocabulary. */
export interface AlarmTable extends FlagTable {
  group: 'alarms';
  bits: Array<FlagBit & { name: AlarmName }>;
}

export interface ExpandedFlags {
  groups: Partial<Record<FlagGroup, Record<string, boolean>>>;
  /** Named values that are not booleans (load state, signal levels...). */
  values: Record<string, string | number>;
  /** Alarm names the device clears by itself after the reply: only their start is an event. */
  latched: Set<string>;
  /**
   * Alarms named by the decoder but by no bit table (GT06 alarm packets, VT600 event codes...): events of one
   * record, so each record that names one is a start, and they end silently.
   */
  pulses: Set<string>;
  /** Whether this record would name an alarm if one were on (positions, alarm records, alarm words). */
  carriesAlarms: boolean;
  /** The protocol's alarms are events, not states (ProtocolFlags.alarmsAreEvents). */
  alarmEvents: boolean;
}

export interface ProtocolFlags {
  /**
   * The device reports each alarm once per occurrence (a GT06 alarm packet, a VT600 event report), so every
   * record that names one starts it again, and none ever ends. Otherwise alarms are states: they start when
   * set and end when cleared (unless the terminal latches them).
   */
  alarmsAreEvents?: boolean;
  /** Every bit table of the protocol; tracker-flags reads each from the record field it names. */
  tables: readonly FlagTable[];
  /** What plain tables cannot say (multi-bit fields, levels, structured alarms); true when it found any. */
  expand?(m: TrackerMessage, out: ExpandedFlags, alarms: Record<string, boolean>): boolean;
  /** Other names the protocol can set, by group, for the help and the docs. */
  otherNames?: Partial<Record<FlagGroup, readonly string[]>>;
}

/** Table from names in bit order; '' skips a bit, [name, {latched}] adds options. */
export function bitNames<N extends string>(
  ...names: Array<N | '' | [N, Partial<FlagBit>]>
): Array<FlagBit & { name: N }> {
  return names.flatMap(
    (n, bit): Array<FlagBit & { name: N }> =>
      n === '' ? [] : typeof n === 'string' ? [{ bit, name: n }] : [{ ...n[1], bit, name: n[0] }],
  );
}

/** Sets `into[name]` for every bit of the table (a name two bits share is on when either is). */
export function readBits(word: number, bits: readonly FlagBit[], into: Record<string, boolean>): void {
  for (const b of bits) into[b.name] = false;
  for (const b of bits) if ((word >>> b.bit) & 1) into[b.name] = true;
}

/** The word with a 1 for every bit whose condition holds (inverted for negative-logic tables). */
export function activeBits(table: FlagTable, word: number): number {
  return table.activeLow ? ~word >>> 0 : word;
}

/** Alarm name by bit number, per table (built once: a record's alarm word is read on the hot path). */
const byBit = new WeakMap<AlarmTable, (AlarmName | undefined)[]>();

/** The alarm names of the bits of `word` whose condition holds (each once). */
export function alarmsOf(word: number, table: AlarmTable, into: AlarmName[]): void {
  const active = activeBits(table, word);
  if (active === 0) return;
  let names = byBit.get(table);
  if (!names) {
    names = [];
    for (const b of table.bits) names[b.bit] = b.name;
    byBit.set(table, names);
  }
  for (let w = active >>> 0; w !== 0; w &= w - 1) {
    const name = names[31 - Math.clz32(w & -w)];
    if (name !== undefined && !into.includes(name)) into.push(name);
  }
}
