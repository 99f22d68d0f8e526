/**
 * TK103 decoding (docs/protocols/tk103.md): the fixed form `(<id><code><data>)` (BP00 handshake, BP05 login,
 * BR00 positions, BO01 alarms, BQ81, BZ00 cells, BV00 VIN, BS50/BS51 battery packs, any other code followed by a
 * position block) and the comma form `(<id>,<code>,...)` (ZCxx/DW3x positions, ZC20 battery, ZC03 command
 * results, DW5x cells and Wi-Fi). Every frame carries the device ID; the replies are exact ASCII.
 */
import type { TrackerMessage } from '../../types';
import { addAlarm, newMessage, readWithin, reportError, type Connection, type DecodeOutput } from '../codec';
import { checkDeviceClock, type ClockCheck } from '../common/clock';
import { degreesMinutes, withHemisphere } from '../common/coordinates';
import { decimal, hexNumber } from '../common/fields';
import { Reader } from '../common/reader';
import { addCell, addWifi } from '../common/network';
import { pruneAttributes, setDeviceTime } from '../common/record';
import { digitsTime } from '../common/time';
import { BO01_ALARMS, BQ81_ALARMS, CODE_EVENTS, STATE_BITS, STATE_BLOCKED, STATE_DOOR, type CodeEvent } from './flags';

export interface Tk103State extends ClockCheck {
  /** The device speaks the comma form (VJOY T580W and alike): its commands go out as tunnelled SMS text. */
  commaForm?: boolean;
}

/** A frame cut into its parts: the ID as sent, the 4-character code, what follows. */
interface Head {
  id: string;
  code: string;
  data: string;
  comma: boolean;
}

const COMMA_HEAD = /^\(([0-9A-Za-z]{1,20}),([A-Z]{2}[0-9A-Z]{2})(?:,([\s\S]*))?\)$/;
const CODE = /^[A-Z]{2}\d{2}$/;
const ID = /^[0-9A-Za-z]+$/;
/** ID lengths of the fixed form, the standard 12 first (`0` + 11 IMEI digits); 11 and 13-15 occur. */
const FIXED_ID_LENGTHS = [12, 11, 13, 14, 15];

export function parseHead(text: string): Head | undefined {
  if (text.length < 6 || text[0] !== '(' || text[text.length - 1] !== ')') return undefined;
  const comma = COMMA_HEAD.exec(text);
  if (comma) return { id: comma[1], code: comma[2], data: comma[3] ?? '', comma: true };
  for (const n of FIXED_ID_LENGTHS) {
    const code = text.slice(1 + n, 5 + n);
    if (code.length === 4 && CODE.test(code) && ID.test(text.slice(1, 1 + n)))
      return { id: text.slice(1, 1 + n), code, data: text.slice(5 + n, -1), comma: false };
  }
  return undefined;
}

type FrameReader = (head: Head, conn: Connection<Tk103State>, out: DecodeOutput, frame: Buffer) => void;

/** Fixed-form codes with their own layout; any other code is read as a position block (or a cell list). */
const FIXED: Readonly<Record<string, FrameReader>> = {
  BP00: (h, conn, out) => {
    out.replies.push(Buffer.from(`(${h.id}AP01HSO)`, 'latin1'));
    out.messages.push(newMessage(conn, 'heartbeat'));
  },
  BP05: (h, conn, out, frame) => {
    out.replies.push(Buffer.from(`(${h.id}AP05)`, 'latin1'));
    const imei = /^\d{15}/.exec(h.data)?.[0];
    const m = readFixedBody(imei ? h.data.slice(15) : h.data, h, conn, out, frame);
    // some units pad their short ID to 15 digits here instead of sending the IMEI
    if (m && imei && !imei.startsWith('000')) m.attributes.imei = imei;
  },
  BO01: (h, conn, out, frame) => {
    const digit = /^\d/.exec(h.data)?.[0];
    if (digit) out.replies.push(Buffer.from(`(${h.id}AS01${digit})`, 'latin1'));
    const m = readFixedBody(h.data.slice(1), h, conn, out, frame);
    if (!m) return;
    if (digit) m.attributes.alarmCode = Number(digit);
    addAlarm(m, (digit && BO01_ALARMS[digit]) || 'general');
  },
  BQ81: (h, conn, out, frame) => {
    const alarm = /^,ALARM,(\d+),(\d+),/.exec(h.data);
    const m = readFixedBody(alarm ? h.data.slice(alarm[0].length) : h.data, h, conn, out, frame);
    if (!m || !alarm) return;
    m.attributes.alarmCode = Number(alarm[1]);
    m.attributes.eventData = Number(alarm[2]);
    addAlarm(m, BQ81_ALARMS[alarm[1]] ?? 'general');
  },
  BZ00: (h, conn, out, frame) => {
    if (h.data.includes('{')) return void readFixedBody(h.data, h, conn, out, frame);
    // `,mcc,mnc,lac,cid,...`: hex LAC and CID; only the first cell is certain (pairs or triples follow)
    const f = h.data.split(',');
    const mcc = decimal(f[1]);
    const mnc = decimal(f[2]);
    const lac = hexNumber(f[3]);
    const cid = hexNumber(f[4]);
    if (mcc === undefined || mnc === undefined || lac === undefined || cid === undefined)
      return reportError(out, conn, 'malformed', 'TK103 BZ00 without a cell', frame);
    const m = newMessage(conn, 'network');
    addCell(m, { mcc, mnc, lac, cid });
    out.messages.push(m);
  },
  BV00: (h, conn, out, frame) => {
    if (!/^[0-9A-Za-z]{17}$/.test(h.data))
      return reportError(out, conn, 'unknown-type', 'TK103 BV00 without a VIN', frame);
    const m = newMessage(conn, 'status');
    m.attributes.vin = h.data;
    out.messages.push(m);
  },
  BS50: (h, conn, out, frame) => readBattery(h, conn, out, frame, decodeBs50),
  BS51: (h, conn, out, frame) => readBattery(h, conn, out, frame, decodeBs51),
};

/** Comma-form codes with their own layout; any other code is a position (ZCxx, DW3x, BP05...). */
const COMMA: Readonly<Record<string, FrameReader>> = {
  ZC20: (h, conn, out, frame) => {
    const f = h.data.split(',');
    const ms = fixTime(f[0], f[1], 'dmy', conn);
    const level = decimal(f[2]);
    const battery = decimal(f[3]);
    const power = decimal(f[4]);
    if (level === undefined || battery === undefined || power === undefined)
      return reportError(out, conn, 'malformed', 'TK103 ZC20 with missing fields', frame);
    const m = newMessage(conn, 'status');
    placeTime(m, ms, conn, out, frame);
    if (BATTERY_LEVELS[level] !== undefined) m.attributes.batteryLevel = BATTERY_LEVELS[level];
    if (battery !== 65535) m.attributes.battery = battery / 100;
    if (power !== 65535) m.attributes.power = power / 10;
    out.messages.push(m);
  },
  ZC03: (h, conn, out, frame) => {
    const f = /^(\d{6}),(\d{6}),\$([\s\S]*?)(?:\$|$)/.exec(h.data);
    if (!f) return reportError(out, conn, 'malformed', 'TK103 ZC03 without its $text$', frame);
    const m = newMessage(conn, 'result');
    placeTime(m, fixTime(f[1], f[2], 'dmy', conn), conn, out, frame);
    m.attributes.result = f[3];
    out.messages.push(m);
    // answers carry no reference: the oldest command waiting gets it
    out.answers.push({ status: 'result', result: f[3], final: true });
  },
};

/** ZC20 battery level code -> %. */
const BATTERY_LEVELS: Readonly<Record<number, number>> = { 6: 100, 5: 80, 4: 50, 3: 20, 2: 10 };

export function decodeTk103Frame(frame: Buffer, conn: Connection<Tk103State>, out: DecodeOutput): void {
  const head = parseHead(frame.toString('latin1'));
  if (!head) {
    reportError(out, conn, 'malformed', 'TK103 frame without an ID and a command code', frame);
    return;
  }
  conn.deviceId = head.id;
  if (head.comma) conn.state.commaForm = true;
  readWithin(
    out,
    conn,
    frame,
    () => `TK103 ${head.code}`,
    () => {
      if (head.comma) {
        const reader = COMMA[head.code];
        if (reader) reader(head, conn, out, frame);
        else if (head.code.startsWith('DW5')) readLbsWifi(head, conn, out, frame);
        else readCommaPosition(head, conn, out, frame);
      } else {
        const reader = FIXED[head.code];
        if (reader) reader(head, conn, out, frame);
        else readFixedBody(head.data, head, conn, out, frame);
      }
    },
  );
}

/**
 * Date and time on the device clock (the server's device clock offset, else UTC), in ms; NaN for a date the
 * calendar does not have: `000007`, month 18, and 31 June too (which would roll over into July).
 */
function fixTime(
  date: string | undefined,
  time: string | undefined,
  order: 'dmy' | 'ymd',
  conn: Connection<Tk103State>,
): number {
  if (date === undefined || !/^\d{6}$/.test(date) || time === undefined || !/^\d{6}$/.test(time)) return NaN;
  const y = Number(order === 'dmy' ? date.slice(4, 6) : date.slice(0, 2));
  const mo = Number(date.slice(2, 4));
  const d = Number(order === 'dmy' ? date.slice(0, 2) : date.slice(4, 6));
  // 2000-2099: every fourth year is a leap year
  const days = mo >= 1 && mo <= 12 ? MONTH_DAYS[mo - 1] + (mo === 2 && y % 4 === 0 ? 1 : 0) : 0;
  return d >= 1 && d <= days ? digitsTime(date, time, order, conn.options.timezoneOffset ?? 0) : NaN;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A coordinate `ddmm.mmmm` / `dddmm.mmmm` (space padded) and its hemisphere letter; NaN when not one. */
function coordinate(text: string, hemisphere: string): number {
  return withHemisphere(degreesMinutes(text.trim()), hemisphere);
}

/**
 * A record's device time. A date the calendar does not have is not turned into one: the record keeps the receive
 * time, a fix becomes invalid, and it is reported. A valid fix is checked once for a clock set to local time.
 */
function placeTime(
  m: TrackerMessage,
  ms: number,
  conn: Connection<Tk103State>,
  out: DecodeOutput,
  frame: Buffer,
): void {
  if (Number.isFinite(ms)) {
    setDeviceTime(m, ms, conn.now);
    if (m.valid) checkDeviceClock(conn, ms, out, 'TK103');
    return;
  }
  if (m.valid !== undefined) m.valid = false;
  reportError(
    out,
    conn,
    'malformed',
    'TK103: the device sent a date that does not exist: the receive time is used',
    frame,
  );
}

/**
 * The fixed-form position block: date `yymmdd`, A/V, `ddmm.mmmmN`, `dddmm.mmmmE` (space padded), speed km/h in
 * 5 characters, time `hhmmss`, then the course and, usually, the state field and `L` + hex mileage.
 */
const BLOCK = /(\d\d)(\d\d)(\d\d)([AV])( *\d+\.\d+)([NS])( *\d+\.\d+)([EW])([ \d.]{1,5})(\d{6})(.*)$/s;
/** After the time: course (6 characters, or 2 digits) + state + mileage; or a decimal course and a state. */
const TAIL =
  /^(?:(?:([ \d.]{6}),?|(\d\d))([01 ][01 ][0-9A-Fa-f ]{6})L([0-9A-Fa-f]{1,13})|(\d+\.\d+)(?:,([01][01][0-9A-Fa-f]{6})(?![0-9A-Fa-f]))?)/;
const TEMPERATURE = /([+-]\d{3}\.\d)$/;

/** A fixed-form body: a position block, or a `{mcc,mnc,lac,cid}` cell list. Returns the record it pushed. */
function readFixedBody(
  data: string,
  h: Head,
  conn: Connection<Tk103State>,
  out: DecodeOutput,
  frame: Buffer,
): TrackerMessage | undefined {
  if (data.includes('{')) return readCellList(data, conn, out);
  const b = BLOCK.exec(data);
  if (!b) {
    reportError(out, conn, 'unknown-type', `TK103 ${h.code} not understood`, frame);
    return undefined;
  }
  const m = newMessage(conn, 'position');
  m.valid = b[4] === 'A';
  placeTime(m, fixTime(`${b[1]}${b[2]}${b[3]}`, b[10], 'ymd', conn), conn, out, frame);
  m.lat = coordinate(b[5], b[6]);
  m.lon = coordinate(b[7], b[8]);
  m.speed = decimal(b[9]) ?? 0; // km/h
  const tail = TAIL.exec(b[11]);
  if (tail) {
    m.course = decimal(tail[1] ?? tail[2] ?? tail[5]) ?? 0;
    const state = tail[3] ?? tail[6];
    if (state) readState(m, state);
    const mileage = hexNumber(tail[4]);
    if (mileage !== undefined) m.attributes.odometer = mileage;
  }
  const temp = TEMPERATURE.exec(b[11]);
  if (temp) m.attributes.temp1 = Number(temp[1]);
  if (Number.isNaN(m.lat) || Number.isNaN(m.lon)) {
    reportError(out, conn, 'malformed', `TK103 ${h.code} coordinates not understood`, frame);
    return undefined;
  }
  out.messages.push(m);
  return m;
}

/** The 8-character state field: flags in the first five characters, the fuel reading in the last three. */
function readState(m: TrackerMessage, state: string): void {
  const word = parseInt(state.replace(/ /g, '0'), 16);
  m.status = word;
  const a = m.attributes;
  a.charge = (word & STATE_BITS.notCharging) === 0;
  m.ignition = (word & STATE_BITS.ignition) !== 0;
  a.in2 = (word & STATE_BITS.input2) !== 0;
  a.out2 = (word & STATE_BITS.output2) !== 0;
  // only when set: units without the wiring leave them 0
  if (word & STATE_BLOCKED) a.blocked = true;
  if (word & STATE_DOOR) a.door = true;
  a.fuel = word & 0xfff;
}

/** `,{mcc,mnc,lac,cid}\n{...}\n...,<state>`: decimal towers, one per line, then the state field. */
function readCellList(data: string, conn: Connection<Tk103State>, out: DecodeOutput): TrackerMessage {
  const m = newMessage(conn, 'network');
  for (const cell of data.matchAll(/\{(\d+),(\d+),(\d+),(\d+)\}/g))
    addCell(m, { mcc: Number(cell[1]), mnc: Number(cell[2]), lac: Number(cell[3]), cid: Number(cell[4]) });
  const state = /,([01][01][0-9A-Fa-f]{6})$/.exec(data);
  if (state) readState(m, state[1]);
  out.messages.push(m);
  return m;
}

/** Comma form: `ddmmyy,A,ddmm.mmmmN,dddmm.mmmmE,speed,hhmmss,course[,...]` (date day first). */
function readCommaPosition(h: Head, conn: Connection<Tk103State>, out: DecodeOutput, frame: Buffer): void {
  const f = h.data.split(',');
  const lat = /^(\d*\.\d+)([NS])$/.exec(f[2] ?? '');
  const lon = /^(\d*\.\d+)([EW])$/.exec(f[3] ?? '');
  if (f.length < 7 || !/^\d{6}$/.test(f[0]) || !/^[AV]$/.test(f[1]) || !lat || !lon) {
    reportError(out, conn, 'unknown-type', `TK103 ${h.code} not understood`, frame);
    return;
  }
  const m = newMessage(conn, 'position');
  m.valid = f[1] === 'A';
  placeTime(m, fixTime(f[0], f[5], 'dmy', conn), conn, out, frame);
  m.lat = coordinate(lat[1], lat[2]);
  m.lon = coordinate(lon[1], lon[2]);
  m.speed = decimal(f[4]) ?? 0; // km/h
  m.course = decimal(f[6]) ?? 0;
  // some units add the state field and the mileage of the fixed form
  if (/^[01][01][0-9A-Fa-f]{6}$/.test(f[7] ?? '')) readState(m, f[7]);
  const mileage = /^L([0-9A-Fa-f]{1,13})$/.exec(f[8] ?? '');
  if (mileage) m.attributes.odometer = parseInt(mileage[1], 16);
  if (Number.isNaN(m.lat) || Number.isNaN(m.lon)) {
    reportError(out, conn, 'malformed', `TK103 ${h.code} coordinates not understood`, frame);
    return;
  }
  applyEvent(m, CODE_EVENTS[h.code]);
  out.messages.push(m);
}

function applyEvent(m: TrackerMessage, event: CodeEvent | undefined): void {
  if (!event) return;
  addAlarm(m, event.alarm);
  if (event.ignition !== undefined) m.ignition = event.ignition;
}

/** DW5x: `mcc,mnc,lac,cid,n,<n x MAC*rssi*channel>,ddmmyy,hhmmss`, decimal LAC and CID. */
function readLbsWifi(h: Head, conn: Connection<Tk103State>, out: DecodeOutput, frame: Buffer): void {
  const f = h.data.split(',');
  const count = decimal(f[4]);
  const [mcc, mnc, lac, cid] = f.slice(0, 4).map(decimal);
  if (count === undefined || mcc === undefined || mnc === undefined || lac === undefined || cid === undefined) {
    reportError(out, conn, 'malformed', `TK103 ${h.code} with missing fields`, frame);
    return;
  }
  const m = newMessage(conn, 'network');
  addCell(m, { mcc, mnc, lac, cid });
  for (const item of f.slice(5, 5 + count)) {
    const w = /^((?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2})\*([-+]?\d+)\*\d+$/.exec(item);
    if (w) addWifi(m, { mac: w[1].toLowerCase(), rssi: Number(w[2]) });
  }
  placeTime(m, fixTime(f[5 + count], f[6 + count], 'dmy', conn), conn, out, frame);
  applyEvent(m, CODE_EVENTS[h.code]);
  out.messages.push(m);
}

/** BS50 / BS51 battery packs: hex payloads, one status record. */
function readBattery(
  h: Head,
  conn: Connection<Tk103State>,
  out: DecodeOutput,
  frame: Buffer,
  decode: (data: string, m: TrackerMessage) => boolean,
): void {
  const m = newMessage(conn, 'status');
  if (!decode(h.data, m)) {
    reportError(out, conn, 'malformed', `TK103 ${h.code} payload not understood`, frame);
    return;
  }
  pruneAttributes(m.attributes);
  out.messages.push(m);
}

/** BS50: one hex payload, little-endian words. */
function decodeBs50(data: string, m: TrackerMessage): boolean {
  if (!/^(?:[0-9A-Fa-f]{2})+$/.test(data)) return false;
  const r = new Reader(Buffer.from(data, 'hex'), 0, data.length / 2);
  const le16 = () => {
    const v = r.u16();
    return ((v & 0xff) << 8) | (v >> 8);
  };
  const a = m.attributes;
  r.skip(3);
  const cells = r.u8();
  for (let i = 1; i <= 24; i++) {
    const mv = le16();
    if (i <= cells) a[`batteryCell${i}`] = mv / 1000;
  }
  a.charge = r.u8() === 0;
  a.current = le16() / 10;
  a.battery = le16() / 100;
  a.batteryLevel = r.u8();
  r.skip(3); // overheat, charge protection, discharge protection
  r.skip(2);
  a.cycleIndex = le16();
  a.batteryAlarm = r.u8();
  r.skip(6);
  const temps = r.u8();
  r.skip(2); // power and equilibrium temperatures
  for (let i = 1; i <= 7; i++) {
    const t = r.u8() - 40;
    if (i <= temps) a[`batteryTemp${i}`] = t;
  }
  return true;
}

/**
 * BS51: `key:hex` pairs of the pack's registers, read big-endian (the samples only make sense that way): 0x90
 * pack voltage, current, charge; 0x91 highest/lowest cell; 0x92 highest/lowest temperature; 0x94 how many
 * temperature sensors; 0x96 their temperatures.
 */
function decodeBs51(data: string, m: TrackerMessage): boolean {
  const registers = new Map<number, Buffer>();
  for (const item of data.split(',')) {
    const kv = /^([0-9A-Fa-f]{2}):((?:[0-9A-Fa-f]{2})+)$/.exec(item);
    if (kv) registers.set(parseInt(kv[1], 16), Buffer.from(kv[2], 'hex'));
  }
  if (!registers.size) return false;
  const a = m.attributes;
  const word = (b: Buffer | undefined, at: number) => (b && b.length >= at + 2 ? b.readUInt16BE(at) : undefined);
  const byte = (b: Buffer | undefined, at: number) => (b && b.length > at ? b[at] : undefined);
  const scaled = (v: number | undefined, f: (x: number) => number) => (v === undefined ? undefined : f(v));
  const pack = registers.get(0x90);
  a.battery = scaled(word(pack, 0), (v) => v / 10);
  a.current = scaled(word(pack, 4), (v) => (v - 30000) / 10);
  a.batteryLevel = scaled(word(pack, 6), (v) => v / 10);
  const cells = registers.get(0x91);
  a.batteryCellMax = scaled(word(cells, 0), (v) => v / 1000);
  a.batteryCellMin = scaled(word(cells, 3), (v) => v / 1000);
  const temps = registers.get(0x92);
  a.batteryTempMax = scaled(byte(temps, 0), (v) => v - 40);
  a.batteryTempMin = scaled(byte(temps, 2), (v) => v - 40);
  const sensors = byte(registers.get(0x94), 1) ?? 7;
  const sensorTemps = registers.get(0x96);
  for (let i = 1; i <= Math.min(sensors, 7); i++) {
    const t = byte(sensorTemps, i);
    if (t !== undefined) a[`batteryTemp${i}`] = t - 40;
  }
  return true;
}
