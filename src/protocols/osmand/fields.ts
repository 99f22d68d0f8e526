/**
 * The OsmAnd / Traccar Client parameters (query string, form body, flat JSON objects): one table entry per
 * parameter name, each filling a draft record; any other name goes to the vocabulary key of that name when
 * its value has the declared type, else to `attributes.params`. Values arrive as text (query, form) or as
 * JSON values (flat JSON objects); the readers below accept both.
 */
import { addAlarm, newMessage, reportError, type Connection, type DecodeOutput } from '../codec';
import { addCell, addWifi } from '../common/network';
import { pruneAttributes, setDeviceTime } from '../common/record';
import { deviceTime } from '../common/time';
import { KNOTS_TO_KMH } from '../common/units';
import type { CellTower, TrackerMessage, WifiAccessPoint } from '../../types';
import { attributeSpec, isAlarmName, type AttributeType, type NumericAttributeKey } from '../../vocabulary';

/** A parameter value: text from a query or form, a JSON value from a JSON body. */
export type Value = string | number | boolean | null | object;

/** What `attributes.params` holds: the device's own names, with numbers, booleans or text. */
export type Params = Record<string, string | number | boolean>;

/** Units a request may give its speed in (`speedUnit`): Traccar's query default is knots. */
const SPEED_TO_KMH: Readonly<Record<string, number>> = { kn: KNOTS_TO_KMH, kmh: 1, mps: 3.6, mph: 1.609344 };

/** Parameters per record kept in `attributes.params` at most (the request size bounds the rest anyway). */
export const MAX_PARAMS = 100;
/** Names a parameter may have to be kept: no spaces, no control characters. */
const PARAM_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
/** Names an object already has (`__proto__`, `toString`...): a parameter may not replace them. */
const reserved = (name: string) => name in Object.prototype || name === 'prototype';

/** The request being decoded: its records' drafts share the device ID, the credential and the error list. */
export interface RequestContext {
  conn: Connection<unknown>;
  out: DecodeOutput;
  /** Every device ID the request named (one is required, two different ones are refused). */
  ids: Set<string>;
  credential?: string;
}

/** One record being filled in; `finish` checks the location and sets the record type. */
export interface Draft {
  msg: TrackerMessage;
  lat?: number;
  lon?: number;
  /** Speed as sent, in `speedUnit`. */
  speed?: number;
  speedUnit: string;
  params?: Params;
  paramCount: number;
  /** Parameters dropped: unusable names, or past MAX_PARAMS. */
  dropped: number;
}

export function newDraft(ctx: RequestContext, speedUnit = 'kn'): Draft {
  return { msg: newMessage(ctx.conn, 'status'), speedUnit, paramCount: 0, dropped: 0 };
}

// --- value readers (text from a query, or a JSON value) -------------------------------------------------

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite number, or NaN. */
export function toNumber(v: Value): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : Number.NaN;
  if (typeof v === 'string') {
    const s = v.trim();
    const n = NUMBER.test(s) ? Number(s) : Number.NaN;
    return Number.isFinite(n) ? n : Number.NaN; // 1e400 is no number a device measured
  }
  return Number.NaN;
}

/** true/false/1/0 (text or JSON), or undefined. */
export function toFlag(v: Value): boolean | undefined {
  if (v === true || v === 'true' || v === 1 || v === '1') return true;
  if (v === false || v === 'false' || v === 0 || v === '0') return false;
  return undefined;
}

export function toText(v: Value): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** A value under a name the vocabulary has, if it has the declared type. */
function typed(type: AttributeType, v: Value): string | number | boolean | undefined {
  switch (type) {
    case 'number': {
      const n = toNumber(v);
      return Number.isNaN(n) ? undefined : n;
    }
    case 'boolean':
      return toFlag(v);
    case 'string':
      return toText(v);
    case 'number|boolean': {
      if (typeof v === 'boolean' || v === 'true' || v === 'false') return toFlag(v);
      const n = toNumber(v);
      return Number.isNaN(n) ? undefined : n;
    }
    default:
      return undefined; // objects, arrays, bytes: never from a phone's parameter
  }
}

/** As Traccar stores an unknown parameter: a number, true/false, else the text; JSON keeps its type. */
function paramValue(v: Value): string | number | boolean {
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    if (v === 'true' || v === 'false') return v === 'true';
    const n = toNumber(v);
    return Number.isNaN(n) ? v : n;
  }
  return JSON.stringify(v); // a nested JSON value: kept as its JSON text
}

// --- times ----------------------------------------------------------------------------------------------

/** Latest time taken (year 9999); earlier than 1970 is refused too. */
const MAX_TIME = 253402300799999;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * `timestamp`: whole or decimal seconds below 2147483647, milliseconds above (OsmAnd); ISO-8601 with or
 * without zone, or `yyyy-MM-dd HH:mm:ss`. A time without zone is read in the device clock offset
 * (`offsetMinutes`, UTC by default). NaN when unreadable.
 */
export function parseTimestamp(v: Value, offsetMinutes = 0): number {
  let ms = Number.NaN;
  if (typeof v === 'number' || (typeof v === 'string' && /^\d+(?:\.\d+)?$/.test(v.trim()))) {
    const n = typeof v === 'number' ? v : Number(v);
    ms = Math.round(n < 2147483647 ? n * 1000 : n);
  } else if (typeof v === 'string') {
    const m = DATE_TIME.exec(v.trim());
    if (m) {
      const zone = m[8];
      let offset = offsetMinutes;
      if (zone && zone.toUpperCase() !== 'Z') {
        const digits = zone.slice(1).replace(':', '');
        offset = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0)) * (zone[0] === '-' ? -1 : 1);
      } else if (zone) offset = 0;
      const fraction = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
      ms = deviceTime(+m[1], +m[2], +m[3], +m[4], +m[5], +(m[6] ?? 0), offset) + fraction;
    }
  }
  return ms >= 0 && ms <= MAX_TIME ? ms : Number.NaN;
}

// --- the table ------------------------------------------------------------------------------------------

type Handler = (d: Draft, v: Value, ctx: RequestContext, name: string) => void;

function bad(ctx: RequestContext, name: string, what: string): void {
  reportError(ctx.out, ctx.conn, 'malformed', `"${name}" ${what}: ignored`);
}

/** A number in [min, max] or reported and skipped. */
function ranged(ctx: RequestContext, name: string, v: Value, min: number, max: number): number | undefined {
  const n = toNumber(v);
  if (Number.isNaN(n) || n < min || n > max) {
    bad(ctx, name, `is not a number from ${min} to ${max}`);
    return undefined;
  }
  return n;
}

function flagOf(ctx: RequestContext, name: string, v: Value): boolean | undefined {
  const f = toFlag(v);
  if (f === undefined) bad(ctx, name, 'is not true or false');
  return f;
}

export function setTime(d: Draft, v: Value, ctx: RequestContext, name: string): void {
  const ms = parseTimestamp(v, ctx.conn.options.timezoneOffset ?? 0);
  if (Number.isNaN(ms)) bad(ctx, name, 'is not a time (epoch seconds or ms, or ISO-8601)');
  else setDeviceTime(d.msg, ms);
}

/** Degrees clockwise from north; a negative value means unknown. */
export function setCourse(d: Draft, v: Value, ctx: RequestContext, name: string): void {
  const n = toNumber(v);
  if (Number.isNaN(n)) bad(ctx, name, 'is not a number');
  else if (n >= 0) d.msg.course = n % 360;
}

function cell(d: Draft, v: Value, ctx: RequestContext, name: string): void {
  const parts = (toText(v) ?? '').split(',').map(toNumber);
  if ((parts.length !== 4 && parts.length !== 5) || parts.some((p) => !Number.isInteger(p))) {
    bad(ctx, name, 'is not mcc,mnc,lac,cid[,rssi]');
    return;
  }
  const tower: CellTower = { mcc: parts[0], mnc: parts[1], lac: parts[2], cid: parts[3] };
  if (parts.length === 5) tower.rssi = parts[4];
  addCell(d.msg, tower);
}

const MAC = /^[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}$/;

function wifi(d: Draft, v: Value, ctx: RequestContext, name: string): void {
  const [mac, rssi, ...rest] = (toText(v) ?? '').split(',');
  const level = rssi === undefined ? Number.NaN : toNumber(rssi);
  if (!MAC.test(mac) || rest.length || !Number.isInteger(level)) {
    bad(ctx, name, 'is not mac,rssi');
    return;
  }
  const point: WifiAccessPoint = { mac: mac.replace(/-/g, ':'), rssi: level };
  addWifi(d.msg, point);
}

/** `alarm`: Traccar's alarm names, comma-separated; a name the vocabulary lacks is `general`, kept in params. */
export function setAlarm(d: Draft, v: Value, ctx: RequestContext, name: string): void {
  const text = toText(v);
  if (text === undefined) {
    bad(ctx, name, 'is not text');
    return;
  }
  for (const alarm of text.split(',')) {
    const a = alarm.trim();
    if (!a) continue;
    if (isAlarmName(a)) addAlarm(d.msg, a);
    else {
      addAlarm(d.msg, 'general');
      addParam(d, ctx, 'alarm', a);
    }
  }
}

/** Where a parameter's value goes: the draft (checked when it is finished), the record, or its attributes. */
type NumberPlace =
  | readonly ['draft', 'lat' | 'lon' | 'speed']
  | readonly ['record', 'altitude' | 'satellites']
  | readonly ['attributes', NumericAttributeKey];

/** Numeric parameters: where they go and the range a value must be in (else it is reported and skipped). */
const NUMBERS: Readonly<Record<string, readonly [...NumberPlace, number, number]>> = {
  lat: ['draft', 'lat', -90, 90],
  lon: ['draft', 'lon', -180, 180],
  speed: ['draft', 'speed', 0, 100000], // in the request's speed unit: converted when the draft is finished
  altitude: ['record', 'altitude', -20000, 100000],
  sat: ['record', 'satellites', 0, 1000],
  satellites: ['record', 'satellites', 0, 1000],
  accuracy: ['attributes', 'accuracy', 0, 1e7],
  hdop: ['attributes', 'hdop', 0, 1000],
  batt: ['attributes', 'batteryLevel', 0, 100],
  battery_temp: ['attributes', 'batteryTemp', -100, 200], // the Traccar Client SDK: degrees Celsius
};

/** true/false parameters. */
const FLAGS: Readonly<Record<string, readonly ['record', 'valid' | 'ignition'] | readonly ['attributes', 'charge']>> = {
  valid: ['record', 'valid'],
  ignition: ['record', 'ignition'],
  charge: ['attributes', 'charge'],
};

/** Text parameters, kept as sent. */
const TEXTS: Readonly<Record<string, 'driverUniqueId' | 'notificationToken' | 'batteryCondition'>> = {
  driverUniqueId: 'driverUniqueId',
  notificationToken: 'notificationToken',
  battery_health: 'batteryCondition', // the SDK's health word: good, overheat, dead...
};

function setNumber(d: Draft, place: NumberPlace, n: number): void {
  if (place[0] === 'draft') d[place[1]] = n;
  else if (place[0] === 'record') d.msg[place[1]] = n;
  else d.msg.attributes[place[1]] = n;
}

/** The parameters that need more than a table row. */
const FIELDS = new Map<string, Handler>([
  ['id', identify],
  ['deviceid', identify],
  ['device_id', identify],
  [
    'token',
    (_d, v, ctx) => {
      ctx.credential = toText(v);
    },
  ],
  [
    'speedUnit',
    (d, v, ctx, name) => {
      const unit = toText(v) ?? '';
      if (Object.hasOwn(SPEED_TO_KMH, unit)) d.speedUnit = unit;
      else bad(ctx, name, 'is not kn, kmh, mps or mph');
    },
  ],
  ['timestamp', setTime],
  [
    'location',
    (d, v, ctx, name) => {
      const parts = (toText(v) ?? '').split(',');
      if (parts.length !== 2) {
        bad(ctx, name, 'is not lat,lon');
        return;
      }
      applyParam(d, 'lat', parts[0], ctx);
      applyParam(d, 'lon', parts[1], ctx);
    },
  ],
  ['bearing', setCourse],
  ['heading', setCourse],
  ['cell', cell],
  ['wifi', wifi],
  ['alarm', setAlarm],
  [
    // the Traccar Client SDK (Android): millivolts; a value that small is volts already
    'battery_voltage',
    (d, v, ctx, name) => {
      const n = ranged(ctx, name, v, 0, 100000);
      if (n !== undefined) d.msg.attributes.battery = n > 100 ? n / 1000 : n;
    },
  ],
]);

function identify(_d: Draft, v: Value, ctx: RequestContext, name: string): void {
  addDeviceId(ctx, v, name);
}

/** A device ID the request names (`id`, `deviceid`, JSON `device_id`); checked once all are known. */
export function addDeviceId(ctx: RequestContext, v: Value, name: string): void {
  const id = toText(v)?.trim();
  if (id) ctx.ids.add(id);
  else bad(ctx, name, 'is empty');
}

/** Applies one parameter to a draft: its own handler or table row, a vocabulary key of that name, or `params`. */
export function applyParam(d: Draft, name: string, v: Value, ctx: RequestContext): void {
  const handler = FIELDS.get(name);
  if (handler) handler(d, v, ctx, name);
  else if (Object.hasOwn(NUMBERS, name)) {
    const [where, key, min, max] = NUMBERS[name];
    const n = ranged(ctx, name, v, min, max);
    if (n !== undefined) setNumber(d, [where, key] as NumberPlace, n);
  } else if (Object.hasOwn(FLAGS, name)) {
    const f = flagOf(ctx, name, v);
    const [where, key] = FLAGS[name];
    if (f === undefined) return;
    if (where === 'record') d.msg[key] = f;
    else d.msg.attributes[key] = f;
  } else if (Object.hasOwn(TEXTS, name)) {
    const text = toText(v);
    if (text !== undefined) d.msg.attributes[TEXTS[name]] = text;
  } else applyAttribute(d, name, v, ctx);
}

/** A numeric parameter of the table, for a value that came under another name (a JSON path). */
export function applyNumber(d: Draft, field: string, v: Value, ctx: RequestContext, name: string): void {
  const [where, key, min, max] = NUMBERS[field];
  const n = ranged(ctx, name, v, min, max);
  if (n !== undefined) setNumber(d, [where, key] as NumberPlace, n);
}

/** A value under its own name: the vocabulary key of that name when the type fits, else `params`. */
export function applyAttribute(d: Draft, name: string, v: Value, ctx: RequestContext): void {
  if (!PARAM_NAME.test(name) || reserved(name)) {
    d.dropped++;
    return;
  }
  const spec = attributeSpec(name);
  const value = spec && v !== null ? typed(spec.type, v) : undefined;
  // typed by attributeSpec at run time: the key exists and the value has its declared type
  if (value !== undefined) (d.msg.attributes as Record<string, unknown>)[name] = value;
  else addParam(d, ctx, name, v);
}

function addParam(d: Draft, _ctx: RequestContext, name: string, v: Value): void {
  if (!d.params) d.params = {}; // a plain object for flows: reserved names never get here
  const params = d.params;
  if (!Object.hasOwn(params, name)) {
    if (d.paramCount >= MAX_PARAMS) {
      d.dropped++;
      return;
    }
    d.paramCount++;
  }
  params[name] = paramValue(v);
}

/**
 * Completes a draft: a location needs both coordinates (0,0 counts as none, as in Traccar: phones without a
 * fix send it), speed in km/h, and the record type by what it carries.
 */
export function finish(d: Draft, ctx: RequestContext): TrackerMessage {
  const m = d.msg;
  pruneAttributes(m.attributes);
  // to 0.01 km/h, as every protocol's speeds (common/units.ts)
  if (d.speed !== undefined) m.speed = Math.round(d.speed * SPEED_TO_KMH[d.speedUnit] * 100) / 100;
  if (d.params) m.attributes.params = d.params;
  if (d.dropped)
    reportError(
      ctx.out,
      ctx.conn,
      'malformed',
      `${d.dropped} parameters dropped (names outside A-Z a-z 0-9 _ . : -, or more than ${MAX_PARAMS})`,
    );
  const located = d.lat !== undefined && d.lon !== undefined && (d.lat !== 0 || d.lon !== 0);
  if (located) {
    m.lat = d.lat;
    m.lon = d.lon;
    m.valid ??= true;
    m.type = 'position';
    return m;
  }
  if ((d.lat === undefined) !== (d.lon === undefined))
    reportError(ctx.out, ctx.conn, 'malformed', 'a location needs both lat and lon: none taken');
  delete m.valid;
  const rich = Object.keys(m.attributes).length > 0 || m.alarms.length > 0 || m.speed !== undefined;
  if (m.network) m.type = 'network';
  else if (m.attributes.notificationToken !== undefined) m.type = 'register';
  else m.type = rich ? 'status' : 'heartbeat';
  return m;
}
