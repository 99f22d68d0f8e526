/**
 * GPS103 decoding (docs/protocols/gps103.md): the login (answered `LOAD`), the IMEI heartbeat (answered `ON`),
 * regular reports with a keyword (alarms, events, command answers), no-GPS reports, OBD reports, the
 * `*`-terminated alternative format, and photos sent in hex packets.
 */
import { addAlarm, newMessage, reportError, type Connection, type DecodeOutput } from '../codec';
import { degreesMinutes, withHemisphere } from '../common/coordinates';
import { pruneAttributes, setDeviceTime } from '../common/record';
import { deviceTime } from '../common/time';
import { hexField, knotsToKmh, numberField } from '../common/units';
import type { TrackerMessage } from '../../types';
import type { AlarmName } from '../../vocabulary';
import { fixTime, fromLocal, localClock, utcTimeOfDay, type Gps103State } from './clock';

export const IMEI = /^\d{8,24}$/;
const MAX_PHOTO_BYTES = 2 * 1024 * 1024;
const MAX_PHOTO_PACKETS = 1000;

/** A report's time, when it has one (none: the receive time stays); a date that is no date is reported. */
function timeOf(m: TrackerMessage, ms: number | undefined, conn: Connection<Gps103State>): void {
  if (ms !== undefined) setDeviceTime(m, ms, conn.now);
}

/** Keywords that are alarms. */
const KEYWORD_ALARMS: Readonly<Record<string, AlarmName>> = {
  'help me': 'sos',
  'low battery': 'lowBattery',
  stockade: 'geofence',
  move: 'movement',
  speed: 'overspeed',
  'door alarm': 'door',
  'ac alarm': 'powerCut',
  'accident alarm': 'accident',
  'sensor alarm': 'vibration',
  'bonnet alarm': 'bonnet',
  'footbrake alarm': 'footBrake',
  DTC: 'fault',
};

/** What a message is, in the order it is recognised: the fields are the message split at its commas. */
type Reader = (f: string[], conn: Connection<Gps103State>, out: DecodeOutput, frame: Buffer) => void;

export function decodeGps103Frame(frame: Buffer, conn: Connection<Gps103State>, out: DecodeOutput): void {
  let text = frame.toString('latin1').trim();
  if (text === '') return; // blanks between messages
  if (text.startsWith('##,')) {
    login(text.slice(3), conn, out, frame);
    return;
  }
  if (text.charCodeAt(0) >= 0x30 && text.charCodeAt(0) <= 0x39) {
    const imei = /^\d+/.exec(text)![0];
    if (!IMEI.test(imei)) {
      reportError(out, conn, 'malformed', 'GPS103 heartbeat is not an IMEI', frame);
      return;
    }
    out.replies.push(Buffer.from('ON', 'latin1'));
    conn.deviceId ??= imei;
    const glued = text.indexOf('imei:');
    if (glued < 0) {
      out.messages.push(newMessage(conn, 'heartbeat'));
      return;
    }
    text = text.slice(glued); // a heartbeat without its `;`, glued to the next report
  }
  if (!text.startsWith('imei:')) {
    reportError(out, conn, 'unknown-type', 'GPS103 message that is not a login, heartbeat or report', frame);
    return;
  }
  const star = text.endsWith('*');
  const f = (text.endsWith(';') || star ? text.slice(0, -1) : text).split(',');
  const imei = f[0].slice(5);
  if (!IMEI.test(imei)) {
    reportError(out, conn, 'malformed', 'GPS103 IMEI is not 8 to 24 digits', frame);
    return;
  }
  conn.deviceId = imei;
  readerOf(f, star, text.length)(f, conn, out, frame);
}

function readerOf(f: string[], star: boolean, length: number): Reader {
  // `imei:<IMEI>,A` without `##,`, or `imei:<IMEI>,L,*` of the alternative firmware: a login
  if (f.length <= 3 && length <= 30) return (fields, conn, out, frame) => login(fields.join(','), conn, out, frame);
  if (f[1] === 'OBD') return obd;
  if (f[1] === 'vr') return photoPacket;
  if (star && /^\d{6}$/.test(f[5] ?? '') && /^\d{6}$/.test(f[6] ?? '')) return alternative;
  return report;
}

/** `##,imei:<IMEI>,A;`: answered `LOAD`. */
function login(text: string, conn: Connection<Gps103State>, out: DecodeOutput, frame: Buffer): void {
  const imei = /^imei:(\d+)/.exec(text)?.[1];
  if (!imei || !IMEI.test(imei)) {
    reportError(out, conn, 'malformed', 'GPS103 login without an IMEI', frame);
    return;
  }
  conn.deviceId = imei;
  out.replies.push(Buffer.from('LOAD', 'latin1'));
  out.messages.push(newMessage(conn, 'login'));
}

/** The keyword: an alarm, an attribute, a photo announcement, a command's answer, or an event kept by name. */
function keyword(m: TrackerMessage, f: string[], conn: Connection<Gps103State>, out: DecodeOutput): void {
  const word = f[1];
  const a = m.attributes;
  addAlarm(m, KEYWORD_ALARMS[word]);
  if (word === 'help me') {
    // stops the device repeating its SOS
    out.replies.push(Buffer.from(`**,imei:${conn.deviceId},E;`, 'latin1'));
  } else if (word.startsWith('T:')) {
    addAlarm(m, 'temperature');
    const temp = numberField(word.slice(2));
    if (temp !== undefined) a.temp1 = temp;
  } else if (word.startsWith('oil')) {
    addAlarm(m, 'fuelLeak');
    const level = word.startsWith('oil ') ? numberField(word.slice(4)) : undefined;
    if (level !== undefined) a.fuel = level;
  } else if (word === 'acc on' || word === 'acc off') {
    m.ignition = word === 'acc on';
  } else if (word === 'rfid') {
    if (f[3]) a.driverUniqueId = f[3];
  } else if (/^vt\d+$/.test(word)) {
    const packets = Number(word.slice(2));
    if (packets > 0 && packets <= MAX_PHOTO_PACKETS) conn.state.photo = { packets, parts: [], bytes: 0 };
  } else if (word !== 'tracker' && word !== '' && !KEYWORD_ALARMS[word]) {
    a.eventName = word;
    // the answer to command <X> is the keyword <x>t (J -> jt, H -> ht)
    if (/^[a-z]t$/.test(word))
      out.answers.push({ reference: `code:${word[0].toUpperCase()}`, status: 'result', result: word, final: true });
  }
}

const isNS = (s: string | undefined) => s === 'N' || s === 'S';
const isEW = (s: string | undefined) => s === 'E' || s === 'W';
const flag = (s: string | undefined) => (s === '1' ? true : s === '0' ? false : undefined);
const decimal = (s: string | undefined) => (s && /^[-+]?\d+(\.\d+)?$/.test(s) ? Number(s) : undefined);
/** `NN.NN%`, or a decimal without `%`; a plain integer (in the second slot: the odometer) is another value. */
const fuel = (s: string | undefined) => {
  const v = /^(\d+(?:\.\d+)?)%$/.exec(s ?? '')?.[1] ?? (s && /^\d+\.\d+$/.test(s) ? s : undefined);
  return v !== undefined ? Number(v) : undefined;
};

/**
 * `imei:<IMEI>,<keyword>,<local time>,<phone|rfid>,F,<utc time>,A|V,lat,N|S,lon,E|W,speed(knots),course,
 * altitude,acc,door,fuel1,fuel2,temperature`, or `...,L,,,<LAC hex>,,<CID hex>,...` without GPS.
 */
function report(f: string[], conn: Connection<Gps103State>, out: DecodeOutput, frame: Buffer): void {
  if (f[4] === 'L' || f.length < 5) {
    noGps(f, conn, out);
    return;
  }
  if (f[4] !== 'F') {
    reportError(out, conn, 'malformed', `GPS103 report "${f[1]}" neither F (GPS) nor L (no GPS)`, frame);
    return;
  }
  // the hemisphere may come before or after each number; a missing longitude hemisphere reads as east
  let i = 7;
  let latHemisphere = '';
  let lonHemisphere = '';
  if (isNS(f[i])) latHemisphere = f[i++];
  const latText = f[i++] ?? '';
  if (isNS(f[i])) latHemisphere = f[i++];
  if (isEW(f[i])) lonHemisphere = f[i++];
  const lonText = f[i++] ?? '';
  if (!lonHemisphere && (isEW(f[i]) || f[i] === '')) lonHemisphere = f[i++];
  if (!latHemisphere || !latText || !lonText) {
    reportError(out, conn, 'malformed', `GPS103 report "${f[1]}" without its position fields`, frame);
    return;
  }
  // coordinates that are no coordinates stay as they are: the session reports them and keeps the record
  const lat = withHemisphere(degreesMinutes(latText), latHemisphere);
  const lon = withHemisphere(degreesMinutes(lonText), lonHemisphere);
  const m = newMessage(conn, 'position');
  keyword(m, f, conn, out);
  timeOf(m, fixTime(localClock(f[2]), utcTimeOfDay(f[5]), conn), conn);
  m.valid = f[6] === 'A';
  m.lat = lat;
  m.lon = lon;
  m.speed = knotsToKmh(numberField(f[i]) ?? 0);
  m.course = numberField(f[i + 1]) ?? 0;
  const altitude = decimal(f[i + 2]);
  if (altitude !== undefined) m.altitude = altitude;
  // the ACC field overrides an `acc on` / `acc off` keyword
  m.ignition = flag(f[i + 3]) ?? m.ignition;
  if (m.ignition === undefined) delete m.ignition;
  // set only what is there: no undefined keys to prune on the hot path
  const a = m.attributes;
  const door = flag(f[i + 4]);
  if (door !== undefined) a.door = door;
  const fuel1 = fuel(f[i + 5]);
  if (fuel1 !== undefined) a.fuel1 = fuel1;
  const fuel2 = fuel(f[i + 6]);
  if (fuel2 !== undefined) a.fuel2 = fuel2;
  const temp = decimal(f[i + 7]);
  if (temp !== undefined) a.temp1 ??= temp;
  if (f[1] === 'DTC') {
    const codes = f.slice(i + 5).filter((s) => /^[PCBU][0-9A-F]{4}$/.test(s));
    if (codes.length) a.dtcs = codes.join(' ');
  }
  out.messages.push(m);
}

/** No GPS: the cell (LAC and CID in hex) and the keyword, at the time of the local clock. */
function noGps(f: string[], conn: Connection<Gps103State>, out: DecodeOutput): void {
  const m = newMessage(conn, 'status');
  keyword(m, f, conn, out);
  timeOf(m, fromLocal(localClock(f[2]), conn), conn);
  const lac = hexField(f[7]);
  const cid = hexField(f[9]);
  if (lac !== undefined && cid !== undefined) m.network = { cellTowers: [{ mcc: 0, mnc: 0, lac, cid }] };
  m.type = m.alarms.length ? 'alarm' : m.network ? 'network' : 'status';
  pruneAttributes(m.attributes);
  out.messages.push(m);
}

/**
 * `OBD,<local yyMMddHHmmss>,odometer,fuel instant,fuel average,hours,speed km/h,load %,coolant,throttle %,rpm,
 * battery V,DTC...`. Speed, load, throttle, rpm and battery must be there (an empty OBD report says nothing).
 */
function obd(f: string[], conn: Connection<Gps103State>, out: DecodeOutput, frame: Buffer): void {
  const percent = (s: string | undefined) => numberField(/^(\d+(?:\.\d*)?)%$/.exec(s ?? '')?.[1]);
  const speed = /^\d+$/.test(f[7] ?? '') ? Number(f[7]) : undefined;
  const load = percent(f[8]);
  const throttle = percent(f[10]);
  const rpm = /^\d+$/.test(f[11] ?? '') ? Number(f[11]) : undefined;
  const battery = /^\d+\.\d+$/.test(f[12] ?? '') ? Number(f[12]) : undefined;
  if (
    speed === undefined ||
    load === undefined ||
    throttle === undefined ||
    rpm === undefined ||
    battery === undefined
  ) {
    reportError(out, conn, 'malformed', 'GPS103 OBD report without its engine values', frame);
    return;
  }
  const m = newMessage(conn, 'status');
  timeOf(m, fromLocal(localClock(f[2]), conn), conn);
  const a = m.attributes;
  const odometer = /^\d+$/.test(f[3] ?? '') ? Number(f[3]) : undefined;
  if (odometer !== undefined) a.obdOdometer = odometer * 1000; // km, as car odometers count
  a.fuelConsumption = numberField(f[5]);
  const hours = /^\d+$/.test(f[6] ?? '') ? Number(f[6]) : undefined;
  if (hours !== undefined) a.hours = hours * 3600000;
  a.obdSpeed = speed;
  a.engineLoad = load;
  a.coolantTemp = /^[-+]?\d+$/.test(f[9] ?? '') ? Number(f[9]) : undefined;
  a.throttle = throttle;
  a.rpm = rpm;
  a.power = battery; // the vehicle's battery, read through the OBD port
  const dtcs = f
    .slice(13)
    .map((s) => s.trim())
    .filter(Boolean);
  if (dtcs.length) a.dtcs = dtcs.join(' ');
  pruneAttributes(a);
  out.messages.push(m);
}

/**
 * The alternative format: `name,event,sensor id,sensor V,hhmmss,DDMMYY,rssi,gps,lat,lon,speed km/h,course,alt,
 * hdop,satellites,acc,charge,error,*` with signed decimal degrees and UTC time; `---` means none.
 */
function alternative(f: string[], conn: Connection<Gps103State>, out: DecodeOutput, frame: Buffer): void {
  const value = (s: string | undefined) => (s === undefined || /^-*$/.test(s) ? undefined : s);
  const lat = decimal(f[9]);
  const lon = decimal(f[10]);
  if (f.length < 19 || lat === undefined || lon === undefined) {
    reportError(out, conn, 'malformed', 'GPS103 alternative report not understood', frame);
    return;
  }
  const m = newMessage(conn, 'position');
  const date = f[6];
  const midnight = deviceTime(2000 + +date.slice(4, 6), +date.slice(2, 4), +date.slice(0, 2), 0, 0, 0);
  setDeviceTime(m, midnight + (utcTimeOfDay(f[5]) ?? NaN), conn.now);
  m.valid = f[8] !== '0';
  m.lat = lat;
  m.lon = lon;
  m.speed = numberField(f[11]) ?? 0; // km/h
  m.course = numberField(f[12]) ?? 0;
  const altitude = decimal(f[13]);
  if (altitude !== undefined) m.altitude = altitude;
  const satellites = numberField(f[15]);
  if (satellites !== undefined) m.satellites = satellites;
  const ignition = flag(f[16]);
  if (ignition !== undefined) m.ignition = ignition;
  const a = m.attributes;
  a.eventName = value(f[2]);
  a.sensorId = value(f[3]);
  a.sensorVoltage = decimal(value(f[4]));
  a.rssi = numberField(f[7]);
  a.hdop = numberField(f[14]);
  a.charge = flag(f[17]);
  a.error = value(f[18]);
  pruneAttributes(a);
  out.messages.push(m);
}

/**
 * `vr,<hex>`: packet index (u16 little-endian), 2 bytes (its size), JPEG bytes, 2 trailing bytes. The photo
 * comes out when the last of the packets `vtNN` announced has arrived.
 */
function photoPacket(f: string[], conn: Connection<Gps103State>, out: DecodeOutput, frame: Buffer): void {
  const photo = conn.state.photo;
  const hex = f[2] ?? '';
  if (!photo || hex.length < 12 || hex.length % 2 !== 0 || !/^[0-9A-Fa-f]+$/.test(hex)) {
    reportError(out, conn, 'malformed', 'GPS103 photo packet without an announcement, or not hex', frame);
    return;
  }
  const data = Buffer.from(hex, 'hex');
  const index = data.readUInt16LE(0);
  const part = Buffer.from(data.subarray(4, data.length - 2));
  if (photo.bytes + part.length > MAX_PHOTO_BYTES) {
    conn.state.photo = undefined;
    reportError(out, conn, 'oversize', 'GPS103 photo larger than 2 MiB: dropped', frame);
    return;
  }
  photo.parts.push(part);
  photo.bytes += part.length;
  if (index + 1 < photo.packets) return;
  conn.state.photo = undefined;
  const m = newMessage(conn, 'media');
  m.attributes.media = Buffer.concat(photo.parts);
  m.attributes.mediaType = 'image';
  m.attributes.mediaFormat = 'jpeg';
  out.messages.push(m);
}
