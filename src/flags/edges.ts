/**
 * Edge detection per device: which flags changed since the device's previous record, as events
 * (`sosStarted` / `sosEnded` for alarms, `accOn` / `accOff` for the other groups). Alarms follow their
 * protocol's rule (ProtocolFlags.alarmsAreEvents): events start with every record that names them and never
 * end; states start when set and end when cleared, except the ones the terminal latches.
 */
import type { ExpandedFlags, FlagGroup } from './expand';

export type FlagState = Partial<Record<FlagGroup, Record<string, boolean>>> & {
  /** One-record alarms currently on (see ExpandedFlags.pulses). */
  pulses?: string[];
};

export interface FlagChanges {
  /** Only the flags whose value changed, by group. */
  changed: Partial<Record<FlagGroup, Record<string, boolean>>>;
  /** Event names, e.g. `sosStarted`, `accOn`. */
  edges: string[];
  /** What to remember as the device's state for the next record. */
  next: FlagState;
}

/** Groups whose changes are events; `valid` and `app` describe the record, not the vehicle. */
const EVENT_GROUPS = new Set<FlagGroup>(['status', 'alarms', 'signals', 'io']);

export function flagChanges(prev: FlagState | undefined, now: ExpandedFlags): FlagChanges {
  const changed: FlagChanges['changed'] = {};
  const edges: string[] = [];
  const next: FlagState = { ...prev };
  const groups = { ...now.groups };
  // One-record alarms that this record does not name again are over: re-armed without an event.
  if (now.carriesAlarms && prev?.pulses?.length) {
    const alarms = { ...(next.alarms ?? {}) };
    for (const name of prev.pulses) if (!now.pulses.has(name)) alarms[name] = false;
    next.alarms = alarms;
  }
  if (now.carriesAlarms || now.pulses.size) next.pulses = [...now.pulses];
  for (const [group, flags] of Object.entries(groups) as Array<[FlagGroup, Record<string, boolean>]>) {
    if (!EVENT_GROUPS.has(group)) continue;
    const before = next[group] ?? {};
    const after: Record<string, boolean> = { ...before };
    for (const [name, value] of Object.entries(flags)) {
      const was = before[name];
      after[name] = value;
      if (group === 'alarms' && now.alarmEvents) {
        // each record that names an event alarm is a new occurrence; such alarms never end
        if (value) {
          changed.alarms ??= {};
          changed.alarms[name] = true;
          edges.push(`${name}Started`);
        }
        continue;
      }
      if (value === (was ?? false)) continue;
      if (!value && was === undefined) continue; // a device seen for the first time: report what is on
      // latched alarms are cleared by the terminal after our reply: that is not the end of anything
      if (!value && group === 'alarms' && (now.latched.has(name) || now.pulses.has(name))) continue;
      changed[group] ??= {};
      changed[group][name] = value;
      edges.push(group === 'alarms' ? `${name}${value ? 'Started' : 'Ended'}` : `${name}${value ? 'On' : 'Off'}`);
    }
    next[group] = after;
  }
  return { changed, edges, next };
}
