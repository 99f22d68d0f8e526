/**
 * Expands a TrackerMessage's raw bitfields into named booleans, grouped as `{status, alarms, signals, io, valid,
 * app}`, plus a few named values (load state, signal levels, ADAS levels). What each bit means is declared by the
 * record's protocol (its `flags`, in src/protocols/<name>/flags.ts); this file only applies the declarations.
 */
import { getCodec } from '../protocols';
import { activeBits, readBits, type ExpandedFlags, type FlagTable } from '../protocols/common/flags';
import type { TrackerMessage } from '../types';

export type { ExpandedFlags, FlagGroup } from '../protocols/common/flags';

function applies(t: FlagTable, m: TrackerMessage): boolean {
  const word = m[t.field];
  if (typeof word !== 'number' || !Number.isFinite(word)) return false;
  return t.when?.statusFormat === undefined || t.when.statusFormat === m.statusFormat;
}

/** Flags of a record, or undefined when it carries no bitfield and no alarm (not a tracker record). */
export function expandFlags(m: TrackerMessage): ExpandedFlags | undefined {
  if (!m || typeof m !== 'object' || typeof m.protocol !== 'string' || !Array.isArray(m.alarms)) return undefined;
  const declared = getCodec(m.protocol)?.flags;
  const out: ExpandedFlags = {
    groups: {},
    values: {},
    latched: new Set(),
    pulses: new Set(),
    carriesAlarms: false,
    alarmEvents: declared?.alarmsAreEvents === true,
  };
  const alarms: Record<string, boolean> = {};
  let found = false;

  if (declared) {
    for (const t of declared.tables) {
      if (!applies(t, m)) continue;
      const word = activeBits(t, m[t.field] as number);
      if (t.group === 'alarms') readBits(word, t.bits, alarms);
      else {
        out.groups[t.group] ??= {};
        readBits(word, t.bits, out.groups[t.group]!);
      }
      found = true;
    }
    if (declared.expand) found = declared.expand(m, out, alarms) || found;
  }

  for (const name of m.alarms) {
    if (!(name in alarms)) out.pulses.add(name);
    alarms[name] = true;
  }
  if (m.alarms.length) found = true;
  out.carriesAlarms =
    m.type === 'position' || m.type === 'alarm' || typeof m.alarmFlags === 'number' || m.alarms.length > 0;
  if (Object.keys(alarms).length) out.groups.alarms = alarms;
  return found ? out : undefined;
}
