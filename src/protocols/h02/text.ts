/**
 * H02 text messages `*XX,<id>,<type>,...#` (docs/protocols/h02.md, "Text messages"): a reader per type, the
 * generic position reader for every other type (V1, V2, V4, V5, V6, V8, V19, VI1...).
 */
import { newMessage, reportError, type CommandAnswer, type Connection, type DecodeOutput } from '../codec';
import { degreesMinutes, withHemisphere } from '../common/coordinates';
import { setDeviceTime } from '../common/record';
import { digitsTime } from '../common/time';
import { hexField, knotsToKmh, numberField } from '../common/units';
import type { CellTower, TrackerMessage } from '../../types';
import { applyStatus, deviceClockOffset, yyyymmddhhmmss, type H02State } from './status';

/** A text message split at its commas: `fields[0]` the maker code, `[1]` the ID, `[2]` the type. */
interface TextMessage {
  fields: string[];
  /** Everything between `*` and `#`. */
  body: string;
  frame: Buffer;
}

type TextReader = (t: TextMessage, conn: Connection<H02State>, out: DecodeOutput) => void;

const ID = /^\d{6,20}$/;

export function decodeText(frame: Buffer, conn: Connection<H02State>, out: DecodeOutput): void {
  const sentence = frame.toString('latin1').trimEnd();
  if (!sentence.endsWith('#')) {
    reportError(out, conn, 'malformed', 'H02 text message without its closing #', frame);
    return;
  }
  const body = sentence.slice(1, -1);
  const fields = body.split(',');
  const id = fields[1] ?? '';
  if (id !== '') {
    if (!ID.test(id)) {
      reportError(out, conn, 'malformed', 'H02 device ID is not 6 to 20 digits', frame);
      return;
    }
    conn.deviceId = id;
  } else if (!conn.deviceId) {
    // an empty ID means the device the connection already knows
    reportError(out, conn, 'not-identified', 'H02 message without an ID on a connection not yet identified', frame);
    return;
  }
  const type = fields[2] ?? '';
  const reader = Object.hasOwn(TEXT_READERS, type) ? TEXT_READERS[type] : type ? decodePosition : notDecoded;
  reader({ fields, body, frame }, conn, out);
}

/** `*HQ,<id>,V4,<type>,<yyyyMMddHHmmss>#`, the server's UTC time: the answer to V1 and NBR. */
function acknowledge(type: string, conn: Connection<H02State>, out: DecodeOutput): void {
  out.replies.push(Buffer.from(`*HQ,${conn.deviceId},V4,${type},${yyyymmddhhmmss(conn.now)}#`, 'latin1'));
}

/** DDMMYY + hhmmss on the device clock; NaN when either is not there. */
function messageTime(date: string | undefined, time: string | undefined, conn: Connection<H02State>): number {
  if (time?.length !== 6) return NaN;
  return digitsTime(date, time, 'dmy', deviceClockOffset(conn));
}

const STATUS = /^[0-9A-Fa-f]{8}$/;

function status(m: TrackerMessage, field: string | undefined): void {
  if (field !== undefined && STATUS.test(field)) applyStatus(m, parseInt(field, 16));
}

/**
 * A coordinate in any of the forms devices write: (D)DDMM.MMMM with 0-3 degree digits, `-DD-MM.MMMM` (the
 * minus signs are decoration), or 8/9 digits without a point. NaN for anything else, placeholders included.
 */
function coordinate(text: string, hemisphere: string): number {
  let degrees = degreesMinutes(text);
  if (Number.isNaN(degrees)) {
    const dashed = /^-(\d{1,3})-(\d{1,2}\.\d+)$/.exec(text);
    const packed = /^(\d{2,3})(\d\d)(\d{4})$/.exec(text);
    if (dashed) degrees = Number(dashed[2]) < 60 ? Number(dashed[1]) + Number(dashed[2]) / 60 : NaN;
    else if (packed)
      degrees = Number(packed[2]) < 60 ? Number(packed[1]) + (Number(packed[2]) + Number(packed[3]) / 1e4) / 60 : NaN;
  }
  return withHemisphere(degrees, hemisphere);
}

/** Without a fix devices send empty coordinates, `0` hemispheres, or 9999.9999 placeholders (ST-901L 4G). */
function noFix(lat: string, latHemisphere: string, lon: string, lonHemisphere: string): boolean {
  const placeholder = /^9+\.9+$/;
  return (
    !lat ||
    !lon ||
    (latHemisphere !== 'N' && latHemisphere !== 'S') ||
    (lonHemisphere !== 'E' && lonHemisphere !== 'W') ||
    (placeholder.test(lat) && placeholder.test(lon))
  );
}

const isTime = (s: string) => s === '' || /^\d{6}$/.test(s);
const isValidity = (s: string) => s === '' || s === 'A' || s === 'V' || s === 'B' || /^\d+$/.test(s);
// hemisphere slots: a letter, or the `0` / nothing of devices without a fix
const isLatHemisphere = (s: string) => s === 'N' || s === 'S' || s === '0' || s === '';
const isLonHemisphere = (s: string) => s === 'E' || s === 'W' || s === '0' || s === '';

/** Index of the position's time field: time, validity, latitude, N|S, longitude, E|W; -1 when none. */
function positionAt(f: string[]): number {
  for (let j = 3; j + 5 < f.length; j++)
    if (isLatHemisphere(f[j + 3]) && isLonHemisphere(f[j + 5]) && isTime(f[j]) && isValidity(f[j + 1])) return j;
  return -1;
}

/** What a V4 message reports about a command: the echoed code, its result word, the command's time... */
function commandResult(resultFields: string[], out: DecodeOutput): string {
  const result = resultFields.join(',');
  const answer: CommandAnswer = { status: 'result', result, final: true };
  if (resultFields[0]) answer.reference = `code:${resultFields[0].toUpperCase()}`;
  out.answers.push(answer);
  return result;
}

/**
 * `*XX,<id>,<type>,hhmmss,A|V,lat,N|S,lon,E|W,speed(knots),course,[battery,]DDMMYY,status[,extra...]#`; V4
 * (a command's answer) puts the echoed command between its type and the time. A report without a fix (empty,
 * `0` or placeholder coordinates) gives nothing, unless its status word carries an alarm: an SOS pressed
 * indoors still comes out, as an `alarm` record.
 */
function decodePosition(t: TextMessage, conn: Connection<H02State>, out: DecodeOutput): void {
  const f = t.fields;
  const type = f[2];
  if (type === 'V1') acknowledge('V1', conn, out);
  const j = positionAt(f);
  const result = type === 'V4' ? commandResult(f.slice(3, j < 0 ? f.length : j), out) : undefined;
  if (j < 0) {
    if (result !== undefined) {
      // an answer without a position (`V4,S20,034313,1,1`)
      const m = newMessage(conn, 'result');
      m.attributes.result = result;
      out.messages.push(m);
    } else reportError(out, conn, 'unknown-type', `H02 ${type} message not understood`, t.frame);
    return;
  }
  const located = !noFix(f[j + 2], f[j + 3], f[j + 4], f[j + 5]);
  const m = newMessage(conn, located ? 'position' : result !== undefined ? 'result' : 'alarm');
  if (result !== undefined) m.attributes.result = result;
  if (located) {
    const validity = f[j + 1];
    m.valid = validity === 'A' || /^\d+$/.test(validity); // a number here is a "coding scheme" of valid fixes
    // coordinates that are no coordinates stay as they are: the session reports them and keeps the record
    m.lat = coordinate(f[j + 2], f[j + 3]);
    m.lon = coordinate(f[j + 4], f[j + 5]);
    m.speed = knotsToKmh(numberField(f[j + 6]) ?? 0);
    m.course = numberField(f[j + 7]) ?? 0;
  }
  let k = j + 8;
  if (/^\d{1,3}$/.test(f[k] ?? '')) k++; // a battery level some units put before the date (scale unknown)
  const date = f[k] ?? '';
  // no date: the server's time, as for a report whose clock has not been set
  if (date !== '') setDeviceTime(m, messageTime(date, f[j] || '000000', conn), conn.now);
  // the status word follows the date; V19 puts its SIM information (IP, ICCID) in between
  let s = k + 1;
  while (s < Math.min(f.length, k + 5) && !STATUS.test(f[s])) {
    if (/^89\d{16,18}/.test(f[s])) m.attributes.iccid = f[s];
    s++;
  }
  if (s < f.length && STATUS.test(f[s])) {
    status(m, f[s]);
    extras(m, f.slice(s + 1));
  }
  if (located || result !== undefined || m.alarms.length) out.messages.push(m);
}

/**
 * After the status word: one firmware sends `odometer,temperature,fuel,altitude,LAC,CID`; Sinotrack units send
 * MCC, MNC, LAC, CID in decimal, hex or a mix, which cannot be told apart, so those stay as text in `data`.
 */
function extras(m: TrackerMessage, rest: string[]): void {
  if (
    rest.length === 6 &&
    /^\d+$/.test(rest[0]) &&
    /^-?\d+$/.test(rest[1]) &&
    /^\d+\.\d+$/.test(rest[2]) &&
    /^-?\d+$/.test(rest[3]) &&
    hexField(rest[4]) !== undefined &&
    hexField(rest[5]) !== undefined
  ) {
    m.attributes.odometer = Number(rest[0]);
    m.attributes.temp1 = Number(rest[1]);
    m.attributes.fuel = Number(rest[2]);
    m.altitude = Number(rest[3]);
    m.network = { cellTowers: [{ mcc: 0, mnc: 0, lac: hexField(rest[4])!, cid: hexField(rest[5])! }] };
    return;
  }
  if (rest.some((field) => field.trim() !== '')) m.attributes.data = rest.join(',').trim();
}

/** V0 and HTBT heartbeats, echoed up to their type; `HTBT,<n>` carries the battery level. */
function heartbeat(t: TextMessage, conn: Connection<H02State>, out: DecodeOutput): void {
  const [maker, id, type] = t.fields;
  out.replies.push(Buffer.from(`*${maker},${id},${type}#`, 'latin1'));
  const m = newMessage(conn, 'heartbeat');
  const level = numberField(t.fields[3]);
  if (type === 'HTBT' && level !== undefined) m.attributes.batteryLevel = level;
  out.messages.push(m);
}

/** `NBR,hhmmss,MCC,MNC,gsmDelay,count,(LAC,CID,signal,)...,DDMMYY,status`: the cells the device sees. */
function neighbourCells(t: TextMessage, conn: Connection<H02State>, out: DecodeOutput): void {
  const f = t.fields;
  const mcc = numberField(f[4]);
  const mnc = numberField(f[5]);
  let d = 8;
  while (d + 1 < f.length && !(/^\d{6}$/.test(f[d]) && STATUS.test(f[d + 1]))) d += 3;
  if (mcc === undefined || mnc === undefined || d + 1 >= f.length) {
    reportError(out, conn, 'malformed', 'H02 NBR message not understood', t.frame);
    return;
  }
  acknowledge('NBR', conn, out);
  const cells: CellTower[] = [];
  for (let i = 8; i + 2 < d; i += 3) {
    const lac = numberField(f[i]);
    const cid = numberField(f[i + 1]);
    if (lac !== undefined && cid !== undefined) cells.push({ mcc, mnc, lac, cid, rssi: numberField(f[i + 2]) });
  }
  const m = newMessage(conn, 'network');
  setDeviceTime(m, messageTime(f[d], f[3], conn), conn.now);
  if (cells.length) m.network = { cellTowers: cells };
  status(m, f[d + 1]);
  out.messages.push(m);
}

/** `LINK,hhmmss,rssi,satellites,battery%,steps,turnovers,DDMMYY,status`. */
function link(t: TextMessage, conn: Connection<H02State>, out: DecodeOutput): void {
  const f = t.fields;
  const m = newMessage(conn, 'status');
  setDeviceTime(m, messageTime(f[9], f[3], conn), conn.now);
  const a = m.attributes;
  a.rssi = numberField(f[4]);
  const satellites = numberField(f[5]);
  if (satellites !== undefined) m.satellites = satellites;
  a.batteryLevel = numberField(f[6]);
  a.steps = numberField(f[7]);
  a.turnovers = numberField(f[8]);
  for (const key of ['rssi', 'batteryLevel', 'steps', 'turnovers'] as const) if (a[key] === undefined) delete a[key];
  status(m, f[10]);
  out.messages.push(m);
}

/** Cantrack `V3,hhmmss,<MCC><MNC>,count,(LAC,CID,?,?,)...,battery(hex),reboot,X,DDMMYY,status`. */
function cantrackCells(t: TextMessage, conn: Connection<H02State>, out: DecodeOutput): void {
  const f = t.fields;
  const n = f.length;
  const operator = f[4] ?? '';
  if (n < 11 || !/^\d{4,6}$/.test(operator) || f[n - 3] !== 'X') {
    reportError(out, conn, 'malformed', 'H02 V3 message not understood', t.frame);
    return;
  }
  const mcc = Number(operator.slice(0, 3));
  const mnc = Number(operator.slice(3));
  const cells: CellTower[] = [];
  for (let i = 6; i + 1 < n - 5; i += 4) {
    const lac = numberField(f[i]);
    const cid = numberField(f[i + 1]);
    if (lac !== undefined && cid !== undefined) cells.push({ mcc, mnc, lac, cid });
  }
  const m = newMessage(conn, 'network');
  setDeviceTime(m, messageTime(f[n - 2], f[3], conn), conn.now);
  if (cells.length) m.network = { cellTowers: cells };
  const battery = hexField(f[n - 5]);
  if (battery !== undefined) m.attributes.batteryRaw = battery;
  status(m, f[n - 1]);
  out.messages.push(m);
}

/**
 * `*hq,<IMEI>,VP1,...`: `V,MCC,MNC,LAC,CID,signal Y LAC,CID,signal...` (cells), or
 * `A|B,lat,N|S,lon,E|W,speed,course,DDMMYY`, a fix with a date but no time of day: it gets the receive time,
 * unless the date is not today's (then midnight of that date).
 */
function vp1(t: TextMessage, conn: Connection<H02State>, out: DecodeOutput): void {
  const f = t.fields;
  if (f[3] === 'V') {
    const mcc = numberField(f[4]) ?? 0;
    const mnc = numberField(f[5]) ?? 0;
    const cells: CellTower[] = [];
    for (const cell of f.slice(6).join(',').split('Y')) {
      const [lac, cid, rssi] = cell.split(',').map(numberField);
      if (lac !== undefined && cid !== undefined) cells.push({ mcc, mnc, lac, cid, rssi });
    }
    const m = newMessage(conn, 'network');
    if (cells.length) m.network = { cellTowers: cells };
    out.messages.push(m);
    return;
  }
  if ((f[3] !== 'A' && f[3] !== 'B') || noFix(f[4] ?? '', f[5] ?? '', f[6] ?? '', f[7] ?? '')) {
    reportError(out, conn, 'malformed', 'H02 VP1 message not understood', t.frame);
    return;
  }
  const m = newMessage(conn, 'position');
  m.valid = true;
  m.lat = coordinate(f[4], f[5]);
  m.lon = coordinate(f[6], f[7]);
  m.speed = knotsToKmh(numberField(f[8]) ?? 0);
  m.course = numberField(f[9]) ?? 0;
  const midnight = messageTime(f[10], '000000', conn);
  if (Number.isFinite(midnight) && Math.abs(midnight + 43200000 - conn.now) > 129600000)
    setDeviceTime(m, midnight, conn.now);
  out.messages.push(m);
}

/** `SMS,<text>`: the device's answer to a text command, line breaks and commas included. */
function sms(t: TextMessage, conn: Connection<H02State>, out: DecodeOutput): void {
  const start = t.body.indexOf(',SMS,');
  const text = t.body.slice(start + 5).trim();
  const m = newMessage(conn, 'result');
  m.attributes.result = text;
  out.messages.push(m);
  out.answers.push({ status: 'result', result: text, final: true });
}

/** Types whose meaning is not known (XT, BS, BASE, an empty type): nothing to pass on. */
function notDecoded(t: TextMessage, conn: Connection<H02State>, out: DecodeOutput): void {
  reportError(out, conn, 'unknown-type', `H02 ${t.fields[2] || '(empty)'} message not decoded`, t.frame);
}

const TEXT_READERS: Record<string, TextReader> = {
  V0: heartbeat,
  HTBT: heartbeat,
  NBR: neighbourCells,
  LINK: link,
  V3: cantrackCells,
  VP1: vp1,
  SMS: sms,
  XT: notDecoded,
  BS: notDecoded,
  BASE: notDecoded,
  '': notDecoded,
};
