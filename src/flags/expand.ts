/**
 * Expands a TrackerMessage's raw bitfields into named booleans, grouped as
 * `{status, alarms, signals, valid, app}`, plus a few named values (load state, signal levels, ADAS levels).
 */
import type { TrackerMessage } from '../types';
import {
  ADAS_TYPES,
  APP_STATUS,
  BSD_TYPES,
  DATA_VALID,
  DSM_TYPES,
  GT06_GSM_LEVELS,
  GT06_INFO_ALARMS,
  GT06_TERMINAL_INFO,
  GT06_VOLTAGE_LEVELS,
  JT600_V2_ALARMS,
  JT600_V2_STATUS,
  JT600_V3_STATUS,
  JT701_ALARMS,
  JT701_STATUS,
  VT600_INPUTS,
  VT600_OUTPUTS,
  VT600_SYSTEM,
  JT808_ALARM_2013_LATCHED,
  JT808_ALARMS,
  JT808_LOAD,
  JT808_SIGNALS,
  JT808_STATUS,
  TPMS_EVENTS,
  type FlagTable,
} from './tables';

export type FlagGroup = 'status' | 'alarms' | 'signals' | 'io' | 'valid' | 'app';

export interface ExpandedFlags {
  groups: Partial<Record<FlagGroup, Record<string, boolean>>>;
  /** Named values that are not booleans (load state, signal levels...). */
  values: Record<string, string | number>;
  /** Alarm names the device clears by itself after the reply: only their start is an event. */
  latched: Set<string>;
  /**
   * Alarms named by the decoder but by no bit table (GT06 alarm byte, VT600 event codes...): events of one
   * record, so each appearance after an absence is a start, and they end silently.
   */
  pulses: Set<string>;
  /** Whether this record would name an alarm if one were on (positions, alarm records, alarm words). */
  carriesAlarms: boolean;
}

function bits(word: number, t: FlagTable, into: Record<string, boolean>): void {
  for (const b of t.bits) into[b.name] = ((word >>> b.bit) & 1) === 1;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Flags of a record, or undefined when it carries no bitfield and no alarm (not a tracker record). */
export function expandFlags(m: TrackerMessage): ExpandedFlags | undefined {
  if (!m || typeof m !== 'object' || typeof m.protocol !== 'string' || !Array.isArray(m.alarms)) return undefined;
  const out: ExpandedFlags = { groups: {}, values: {}, latched: new Set(), pulses: new Set(), carriesAlarms: false };
  const alarms: Record<string, boolean> = {};
  let found = false;

  if (m.protocol === 'jt808') found = jt808(m, out, alarms) || found;
  if (m.protocol === 'gt06') found = gt06(m, out, alarms) || found;
  if (m.protocol === 'jt600') found = jt600(m, out, alarms) || found;
  if (m.protocol === 'vt600') found = vt600(m, out) || found;

  for (const name of m.alarms) {
    if (!(name in alarms)) out.pulses.add(name);
    alarms[name] = true;
  }
  if (m.alarms.length) found = true;
  out.carriesAlarms = m.type === 'position' || m.type === 'alarm' || isNumber(m.alarmFlags) || m.alarms.length > 0;
  if (Object.keys(alarms).length) out.groups.alarms = alarms;
  return found ? out : undefined;
}

function jt808(m: TrackerMessage, out: ExpandedFlags, alarms: Record<string, boolean>): boolean {
  let found = false;
  const attrs = m.attributes ?? {};
  if (isNumber(m.statusFlags)) {
    const status: Record<string, boolean> = {};
    bits(m.statusFlags, JT808_STATUS, status);
    const load = JT808_LOAD[(m.statusFlags >>> 8) & 3];
    status.loadHalf = load === 'half';
    status.loadFull = load === 'full';
    out.values.load = load;
    out.groups.status = status;
    found = true;
  }
  if (isNumber(m.alarmFlags)) {
    bits(m.alarmFlags, JT808_ALARMS, alarms);
    const is2013 = attrs.version === 2013 || attrs.protocolVersion === 2013;
    for (const b of JT808_ALARMS.bits)
      if (b.latched || (is2013 && JT808_ALARM_2013_LATCHED.has(b.name))) out.latched.add(b.name);
    found = true;
  }
  const signals = m.vehicleSignals ?? attrs.vehicleSignals;
  if (isNumber(signals)) {
    const s: Record<string, boolean> = {};
    bits(signals, JT808_SIGNALS, s);
    out.groups.signals = s;
    found = true;
  }
  if (found) {
    out.groups.valid = dataValid(m);
    const app: Record<string, boolean> = {};
    bits(attrs.archive === true ? 1 : 0, APP_STATUS, app);
    out.groups.app = app;
  }
  found = safetyAlarms(attrs, out, alarms) || found;
  return found;
}

/** Which fields the record carries, as seed 001 table 4 names them. */
function dataValid(m: TrackerMessage): Record<string, boolean> {
  const a = m.attributes ?? {};
  const present = [
    isNumber(m.lat) && isNumber(m.lon),
    isNumber(m.speed),
    isNumber(m.course),
    a.rssi !== undefined,
    isNumber(m.satellites),
    a.odometer !== undefined,
    a.platformMileage !== undefined,
    a.dataFlow !== undefined,
    isNumber(m.altitude),
    m.statusFlags !== undefined,
    a.fuel !== undefined,
    a.adas !== undefined,
    a.dsm !== undefined,
    a.tpms !== undefined,
    a.bsd !== undefined,
    false,
  ];
  const v: Record<string, boolean> = {};
  for (const b of DATA_VALID.bits) v[b.name] = present[b.bit] === true;
  return v;
}

type SafetyObject = { alarmType?: number; alarmLevel?: number; events?: Array<{ eventType?: number }> } & Record<
  string,
  unknown
>;

/** ADAS / DSM / BSD / TPMS objects (items 0x64-0x67) as named alarms with their levels. */
function safetyAlarms(attrs: Record<string, unknown>, out: ExpandedFlags, alarms: Record<string, boolean>): boolean {
  let found = false;
  const typed = (key: string, prefix: string, names: Record<number, string>) => {
    const o = attrs[key] as SafetyObject | undefined;
    if (!o || typeof o !== 'object') return;
    for (const name of Object.values(names)) alarms[prefix + cap(name)] = false;
    const type = Number(o.alarmType);
    const name = names[type];
    if (name) alarms[prefix + cap(name)] = true;
    if (isNumber(o.alarmLevel)) out.values[`${prefix}Level`] = o.alarmLevel;
    found = true;
  };
  typed('adas', 'adas', ADAS_TYPES);
  typed('dsm', 'dsm', DSM_TYPES);
  typed('bsd', 'bsd', BSD_TYPES);
  const tpms = attrs.tpms as SafetyObject | undefined;
  if (tpms && typeof tpms === 'object') {
    let word = 0;
    const list = Array.isArray(tpms.events)
      ? tpms.events
      : Array.isArray(tpms.eventList)
        ? (tpms.eventList as SafetyObject[])
        : [];
    for (const e of list) if (e && isNumber(e.eventType)) word |= e.eventType;
    const t: Record<string, boolean> = {};
    bits(word, TPMS_EVENTS, t);
    for (const [k, v] of Object.entries(t)) alarms[`tpms${cap(k)}`] = v;
    found = true;
  }
  return found;
}

function gt06(m: TrackerMessage, out: ExpandedFlags, alarms: Record<string, boolean>): boolean {
  if (!isNumber(m.terminalInfo)) return false;
  const status: Record<string, boolean> = {};
  bits(m.terminalInfo, GT06_TERMINAL_INFO, status);
  out.groups.status = status;
  for (const name of Object.values(GT06_INFO_ALARMS)) alarms[name] = false;
  const alarm = GT06_INFO_ALARMS[(m.terminalInfo >> 3) & 7];
  if (alarm) alarms[alarm] = true;
  const a = m.attributes ?? {};
  if (isNumber(a.voltageLevel) && GT06_VOLTAGE_LEVELS[a.voltageLevel])
    out.values.voltage = GT06_VOLTAGE_LEVELS[a.voltageLevel];
  if (isNumber(a.rssi) && GT06_GSM_LEVELS[a.rssi]) out.values.gsm = GT06_GSM_LEVELS[a.rssi];
  return true;
}

/** JT600 status words, by the record layout that carried them (`statusFormat`). */
function jt600(m: TrackerMessage, out: ExpandedFlags, alarms: Record<string, boolean>): boolean {
  if (!isNumber(m.status)) return false;
  const status: Record<string, boolean> = {};
  switch (m.statusFormat) {
    case 'jt701':
      bits(m.status, JT701_STATUS, status);
      bits(m.status, JT701_ALARMS, alarms);
      break;
    case 'v2':
      bits(m.status, JT600_V2_STATUS, status);
      bits(m.status, JT600_V2_ALARMS, alarms);
      break;
    case 'v3':
      bits(m.status, JT600_V3_STATUS, status);
      break;
    default:
      return false;
  }
  out.groups.status = status;
  return true;
}

/** VT600 system status, inputs and outputs. */
function vt600(m: TrackerMessage, out: ExpandedFlags): boolean {
  let found = false;
  if (isNumber(m.systemStatus)) {
    const status: Record<string, boolean> = {};
    bits(m.systemStatus, VT600_SYSTEM, status);
    out.groups.status = status;
    found = true;
  }
  if (isNumber(m.inputs) || isNumber(m.outputs)) {
    const io: Record<string, boolean> = {};
    if (isNumber(m.inputs)) bits(m.inputs, VT600_INPUTS, io);
    if (isNumber(m.outputs)) bits(m.outputs, VT600_OUTPUTS, io);
    out.groups.io = io;
    found = true;
  }
  return found;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
