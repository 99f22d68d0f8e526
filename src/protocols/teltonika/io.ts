/**
 * Teltonika I/O elements: what an element ID means, by device model (docs/protocols/teltonika.md). The same ID
 * means different things on different model families, so only the IDs every family shares are named without a
 * model; the FMB-family, FM6-family and TAT rows apply when the session's `model` says so. Every other element is
 * kept as `io<ID>`, as reported.
 */
import { addAlarm } from '../codec';
import { addCell } from '../common/network';
import { trimControl } from '../common/text';
import type { TrackerMessage } from '../../types';
import type { AlarmName } from '../../vocabulary';

/** What a record's elements leave for the end of the record (cell parts, driver ID halves). */
export interface IoScratch {
  lac: number;
  cid: number;
  lte: boolean;
  driverHigh: Buffer | undefined;
  driverLow: Buffer | undefined;
}

export function newScratch(): IoScratch {
  return { lac: -1, cid: -1, lte: false, driverHigh: undefined, driverLow: undefined };
}

/** Reads element `id` (value of `size` bytes at `at`) into the record. */
type IoHandler = (m: TrackerMessage, buf: Buffer, at: number, size: number, cell: IoScratch) => void;

/** Which model families a row applies to. */
interface Family {
  fmb: boolean;
  fm6: boolean;
  tat: boolean;
  model: string;
}
type Applies = (f: Family) => boolean;

const any: Applies = () => true;
const fmb: Applies = (f) => f.fmb;
const fmbNot6: Applies = (f) => f.fmb && !f.fm6;
const fm6: Applies = (f) => f.fm6;
const fmbOrTat: Applies = (f) => f.fmb || f.tat;
const fmb003: Applies = (f) => f.model === 'FMB003';

/** Unsigned big-endian value of 1, 2, 4 or 8 bytes (8: exact up to 2^53). */
export function unsigned(buf: Buffer, at: number, size: number): number {
  switch (size) {
    case 1:
      return buf[at];
    case 2:
      return (buf[at] << 8) | buf[at + 1];
    case 4:
      return buf.readUInt32BE(at);
    default:
      return buf.readUInt32BE(at) * 0x100000000 + buf.readUInt32BE(at + 4);
  }
}

export function signed(buf: Buffer, at: number, size: number): number {
  switch (size) {
    case 1:
      return (buf[at] << 24) >> 24;
    case 2:
      return buf.readInt16BE(at);
    case 4:
      return buf.readInt32BE(at);
    default:
      return Number(buf.readBigInt64BE(at));
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

/** An element with no name: 1/2/4-byte values unsigned, 8-byte values signed (text when beyond 2^53). */
export function rawValue(buf: Buffer, at: number, size: number): number | string {
  if (size !== 8) return unsigned(buf, at, size);
  const v = buf.readBigInt64BE(at);
  return v <= MAX_SAFE && v >= MIN_SAFE ? Number(v) : v.toString();
}

const ioKeys: `io${number}`[] = [];

/** `io<ID>`, the key of an element with no name (made once per ID: records carry dozens of them). */
export function ioKey(id: number): `io${number}` {
  let key = ioKeys[id];
  if (key === undefined) {
    key = `io${id}`;
    ioKeys[id] = key;
  }
  return key;
}

type Attrs = TrackerMessage['attributes'];
/** Attribute keys (named or numbered) whose values are of type T. */
type KeysOf<T> = { [K in keyof Attrs]-?: NonNullable<Attrs[K]> extends T ? K : never }[keyof Attrs];

/** Sets `key` to the value (signed or not) divided by `divisor`. */
const scaled =
  (key: KeysOf<number>, divisor: number, isSigned = false): IoHandler =>
  (m, buf, at, size) => {
    m.attributes[key] = (isSigned ? signed(buf, at, size) : unsigned(buf, at, size)) / divisor;
  };
const plain = (key: KeysOf<number>, isSigned = false) => scaled(key, 1, isSigned);
/** Sets `key` to whether the value is not 0. */
const flag =
  (key: KeysOf<boolean>): IoHandler =>
  (m, buf, at, size) => {
    m.attributes[key] = unsigned(buf, at, size) > 0;
  };
const alarmWhenSet =
  (alarm: AlarmName): IoHandler =>
  (m, buf, at, size) => {
    if (unsigned(buf, at, size) > 0) addAlarm(m, alarm);
  };

type Row = [id: number, applies: Applies, handler: IoHandler];

/** Rows for a numbered series of IDs (`temp1`..`temp4`...): `make` gets each one's number, from 1. */
const numbered = (ids: readonly number[], applies: Applies, make: (nth: number) => IoHandler): Row[] =>
  ids.map((id, i) => [id, applies, make(i + 1)]);

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const GREEN_DRIVING: Record<number, AlarmName> = { 1: 'hardAcceleration', 2: 'hardBraking', 3: 'hardCornering' };

const ROWS: readonly Row[] = [
  // every model
  ...numbered(range(1, 4), any, (nth) => flag(`in${nth}`)),
  [16, any, plain('odometer')],
  [17, any, plain('axisX', true)],
  [18, any, plain('axisY', true)],
  [19, any, plain('axisZ', true)],
  [21, any, plain('rssi')],
  ...numbered(range(25, 28), any, (nth) => scaled(`bleTemp${nth}`, 100, true)),
  [66, any, scaled('power', 1000)],
  [67, any, scaled('battery', 1000)],
  [
    78,
    any,
    (m, b, at, size) => {
      // iButton: the key's 8 bytes, least significant first; all zero = no key
      if (size !== 8) {
        m.attributes.io78 = rawValue(b, at, size);
        return;
      }
      const id = Buffer.from(b.subarray(at, at + 8))
        .reverse()
        .toString('hex')
        .toUpperCase();
      if (id !== '0000000000000000') m.attributes.driverUniqueId = id;
    },
  ],
  ...numbered([179, 180], any, (nth) => flag(`out${nth}`)),
  [181, any, scaled('pdop', 10)],
  [182, any, scaled('hdop', 10)],
  [199, any, plain('tripOdometer')],
  [236, any, alarmWhenSet('general')],
  [
    239,
    any,
    (m, b, at, size) => {
      m.ignition = unsigned(b, at, size) > 0;
    },
  ],
  [240, any, flag('motion')],
  [241, any, plain('operator')],
  [253, any, (m, b, at, size) => addAlarm(m, GREEN_DRIVING[unsigned(b, at, size)])],
  // FMB family (FMB, FMC, FMM, FMP, FMT, FMU... and MTB100, MSP500)
  ...numbered([9, 10], fmb, (nth) => scaled(`adc${nth}`, 1000)),
  [
    11,
    fmb,
    (m, b, at, size) => {
      m.attributes.iccid = size === 8 ? b.readBigUInt64BE(at).toString() : String(unsigned(b, at, size));
    },
  ],
  [12, fmb, scaled('fuelUsed', 1000)],
  [13, fmb, scaled('fuelConsumption', 100)],
  [
    24,
    fmb,
    (m, b, at, size) => {
      m.speed = unsigned(b, at, size);
    },
  ],
  [30, fmb, plain('faultCount')],
  [31, fmb, plain('engineLoad')],
  [32, fmb, plain('coolantTemp', true)],
  [36, fmb, plain('rpm')],
  [43, fmb, plain('milDistance')],
  [57, fmb, plain('hybridBatteryLevel')],
  [68, fmb, scaled('batteryCurrent', 1000)],
  ...numbered(range(72, 75), fmb, (nth) => scaled(`temp${nth}`, 10, true)),
  [107, fmb, scaled('fuelUsed', 10)],
  [110, fmb, scaled('fuelConsumption', 10)],
  [113, fmb, plain('batteryLevel')],
  [115, fmb, scaled('engineTemp', 10, true)],
  [175, fmb, (m, b, at, size) => addAlarm(m, unsigned(b, at, size) > 0 ? 'geofenceEnter' : 'geofenceExit')],
  [200, fmb, plain('sleepMode')],
  [246, fmb, alarmWhenSet('tow')],
  [247, fmb, alarmWhenSet('accident')],
  [249, fmb, alarmWhenSet('jamming')],
  [251, fmb, alarmWhenSet('idle')],
  [252, fmb, alarmWhenSet('powerCut')],
  [662, fmb, flag('door')],
  ...numbered(range(10644, 10649), fmb, (nth) => scaled(`tempProbe${nth}`, 100, true)),
  ...numbered(range(10800, 10803), fmb, (nth) => scaled(`eyeTemp${nth}`, 100, true)),
  ...numbered(range(10832, 10835), fmb, (nth) => plain(`eyeRoll${nth}`, true)),
  // OBD elements of the FMB family that the FM6 family uses for other things
  [80, fmbNot6, plain('dataMode')],
  [81, fmbNot6, plain('obdSpeed')],
  [82, fmbNot6, plain('throttle')],
  [83, fmbNot6, scaled('fuelUsed', 10)],
  [84, fmbNot6, scaled('fuel', 10)],
  [85, fmbNot6, plain('rpm')],
  [87, fmbNot6, plain('obdOdometer')],
  [89, fmbNot6, plain('fuelLevel')],
  // serving cell (2G or 4G cell ID, LAC), completed at the end of the record with the operator
  [
    205,
    fmbOrTat,
    (_m, b, at, size, cell) => {
      cell.cid = unsigned(b, at, size);
    },
  ],
  [
    636,
    fmbOrTat,
    (_m, b, at, size, cell) => {
      cell.cid = unsigned(b, at, size);
      cell.lte = true;
    },
  ],
  [
    206,
    fmbOrTat,
    (_m, b, at, size, cell) => {
      cell.lac = unsigned(b, at, size);
    },
  ],
  // FM6 family (FMB630/640, FMC650...)
  ...numbered(range(701, 704), fm6, (nth) => scaled(`bleTemp${nth}`, 10, true)),
  [
    195,
    fm6,
    (_m, b, at, size, cell) => {
      cell.driverHigh = Buffer.from(b.subarray(at, at + size));
    },
  ],
  [
    196,
    fm6,
    (_m, b, at, size, cell) => {
      cell.driverLow = Buffer.from(b.subarray(at, at + size));
    },
  ],
  // FMB003: OEM total mileage, km
  [
    389,
    fmb003,
    (m, b, at, size) => {
      m.attributes.obdOdometer = unsigned(b, at, size) * 1000;
    },
  ],
];

/** The element handlers that apply to one model, by ID. */
export type IoProfile = ReadonlyMap<number, IoHandler>;

const profiles = new Map<string, IoProfile>();

/** The handlers for a `model` setting, worked out once per setting and shared by every connection. */
export function ioProfile(setting: string | undefined): IoProfile {
  const key = setting ?? '';
  let profile = profiles.get(key);
  if (profile) return profile;
  const model = key.trim().toUpperCase();
  const family: Family = {
    fmb: /^(?:FM[B-Z]...|MTB100|MSP500)$/.test(model),
    fm6: /^FM.6..$/.test(model),
    tat: /^T.T...$/.test(model),
    model,
  };
  const map = new Map<number, IoHandler>();
  for (const [id, applies, handler] of ROWS) if (applies(family)) map.set(id, handler);
  profile = map;
  if (profiles.size < 256) profiles.set(key, profile);
  return profile;
}

/** What a record's elements left for its end: the serving cell (with the operator) and an FM6 driver ID. */
export function finishRecord(m: TrackerMessage, cell: IoScratch): void {
  if (cell.cid >= 0 && cell.lac >= 0) {
    const operator = m.attributes.operator;
    if (operator !== undefined && operator >= 1000) {
      const digits = String(operator);
      addCell(m, { mcc: Number(digits.slice(0, 3)), mnc: Number(digits.slice(3)), lac: cell.lac, cid: cell.cid });
      if (cell.lte) m.attributes.networkTechnology = '4G';
    } else {
      m.attributes[cell.lte ? 'io636' : 'io205'] = cell.cid;
      m.attributes.io206 = cell.lac;
    }
  } else if (cell.cid >= 0) m.attributes[cell.lte ? 'io636' : 'io205'] = cell.cid;
  else if (cell.lac >= 0) m.attributes.io206 = cell.lac;
  if (cell.driverHigh || cell.driverLow) {
    if (cell.driverHigh?.length === 8 && cell.driverLow?.length === 8) {
      m.attributes.driverUniqueId = trimControl(Buffer.concat([cell.driverHigh, cell.driverLow]).toString('latin1'));
    } else {
      if (cell.driverHigh) m.attributes.io195 = cell.driverHigh.toString('hex');
      if (cell.driverLow) m.attributes.io196 = cell.driverLow.toString('hex');
    }
  }
}

/** GH3000 (codec 07) personal trackers number their elements differently. */
export const GH3000_IO: IoProfile = new Map<number, IoHandler>([
  [1, plain('batteryLevel')],
  [2, flag('usbConnected')],
  [5, plain('uptime')],
  [20, scaled('hdop', 10)],
  [21, scaled('vdop', 10)],
  [22, scaled('pdop', 10)],
  [67, scaled('battery', 1000)],
  [221, plain('button')],
  [
    222,
    (m, b, at, size) => {
      if (unsigned(b, at, size) === 1) addAlarm(m, 'sos');
    },
  ],
  [240, flag('motion')],
  [244, flag('roaming')],
]);
