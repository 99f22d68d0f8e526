/**
 * Jointech JT600 family decoding (docs/protocols/jt600.md): binary records (short v1/v2/v3, long
 * JT701), text sentences (W01, U01-U06, P45, WLNET sensors, @JT heartbeats, U09 trips), and the replies the
 * devices wait for. Facts from Traccar's decoder and its test captures; our own code.
 */
import { knotsToKmh } from '../common/units';
import { addAlarm, newMessage, reportError, type Connection, type DecodeOutput, readWithin } from '../codec';
import { Reader } from '../common/reader';
import { alarmsOf } from '../common/flags';
import { pruneAttributes, setDeviceTime } from '../common/record';
import { JT600_V2_ALARMS, JT701_ALARMS } from './flags';
import { isoTime, digitsTime } from '../common/time';
import type { TrackerMessage } from '../../types';
import { isLongFormat, unescapeText } from './frame';
import { decodeJointechLocation, LOCATION_BLOCK_LENGTH } from './location';

/** JT600 sessions keep nothing between frames beyond the device ID the session holds. */
export type Jt600State = Record<string, never>;

const MPH_TO_KMH = 1.609344;
const round2 = (x: number) => Math.round(x * 100) / 100;

export function decodeJt600Frame(frame: Buffer, conn: Connection<Jt600State>, out: DecodeOutput): void {
  readWithin(
    out,
    conn,
    frame,
    () => 'JT600 frame',
    () => {
      if (frame[0] === 0x24) decodeBinary(frame, conn, out);
      else if (frame[0] === 0x28) decodeText(unescapeText(frame), conn, out);
    },
  );
}

/** A position from the 17-byte location block at the reader. */
function positionRecord(conn: Connection<Jt600State>, r: Reader): TrackerMessage {
  const m = newMessage(conn, 'position');
  const fix = decodeJointechLocation(r.slice(LOCATION_BLOCK_LENGTH), 0);
  setDeviceTime(m, fix.time);
  m.lat = fix.lat;
  m.lon = fix.lon;
  m.valid = fix.valid;
  m.speed = knotsToKmh(fix.speedKnots);
  m.course = fix.course;
  return m;
}

function identify(conn: Connection<Jt600State>, id: string): void {
  conn.deviceId = id.replace(/^0+(?=\d)/, '');
}

/** Binary frames: header, records of 17 + N bytes, a 1-byte serial. */
function decodeBinary(frame: Buffer, conn: Connection<Jt600State>, out: DecodeOutput): void {
  const long = isLongFormat(frame, 0);
  identify(conn, frame.toString('hex', 1, 6));
  const r = new Reader(frame, 6, frame.length - 1, frame.length);
  const protocolVersion = long ? r.u8() : 0;
  const typeByte = r.u8();
  const version = long ? 0 : typeByte >> 4;
  const dataType = typeByte & 0x0f;
  r.u16(); // length
  // data types 3 and 4 carry several stored records: a batch sent late
  const archive = dataType === 3 || dataType === 4;
  let ackWanted = false;
  while (r.remaining >= LOCATION_BLOCK_LENGTH) {
    const m = positionRecord(conn, r);
    const a = m.attributes;
    if (long) {
      a.odometer = r.u32() * 1000;
      m.satellites = r.u8();
      r.u32(); // vehicle id
      const status = r.u16();
      m.status = status;
      m.statusFormat = 'jt701';
      alarmsOf(status, JT701_ALARMS, m.alarms);
      if (status & 0x20) ackWanted = true;
      a.blocked = (status & 0x80) !== 0;
      const battery = r.u8();
      if (battery === 0xff) a.charge = true;
      else a.batteryLevel = battery;
      const cid = r.u16();
      const lac = r.u16();
      const rssi = r.u8();
      m.network = { cellTowers: [{ mcc: 0, mnc: 0, lac, cid, rssi }] };
      if ((protocolVersion === 0x17 || protocolVersion === 0x19) && r.remaining > 0) a.geofence = r.u8();
      r.pos = r.stop; // one record per long frame: reserved and extension bytes run up to the serial
    } else if (version === 1) {
      m.satellites = r.u8();
      a.power = r.u8();
      r.u8(); // other flags and sensors
      m.altitude = r.u16();
      const cid = r.u16();
      const lac = r.u16();
      const rssi = r.u8();
      if (cid !== 0 && lac !== 0) m.network = { cellTowers: [{ mcc: 0, mnc: 0, lac, cid, rssi }] };
      else a.rssi = rssi;
    } else if (version === 2) {
      let fuel = r.u8() << 8;
      const s = r.slice(4);
      m.status = s.readUInt32BE(0);
      m.statusFormat = 'v2';
      m.ignition = (s[0] & 1) !== 0;
      a.door = (s[0] & 0x40) !== 0;
      a.charge = (s[1] & 1) !== 0;
      a.blocked = (s[1] & 2) !== 0;
      alarmsOf(m.status, JT600_V2_ALARMS, m.alarms);
      a.odometer = r.u32() * 1000;
      fuel += r.u8();
      a.fuel = fuel;
    } else if (version === 3) {
      // 80-bit field: fuel1 12 bits, fuel2 12, fuel3 12, odometer 20 (km), status 24
      const b = r.slice(10);
      let bits = 0n;
      for (const x of b) bits = (bits << 8n) | BigInt(x);
      const take = (n: number, shift: number) => Number((bits >> BigInt(shift)) & ((1n << BigInt(n)) - 1n));
      a.fuel1 = take(12, 68);
      a.fuel2 = take(12, 56);
      a.fuel3 = take(12, 44);
      a.odometer = take(20, 24) * 1000;
      const status = take(24, 0);
      m.status = status;
      m.statusFormat = 'v3';
      m.ignition = (status & 1) !== 0;
    } else {
      reportError(out, conn, 'unknown-type', `JT600 binary record version ${version} not decoded`, frame);
      return;
    }
    if (archive) a.archive = true;
    out.messages.push(m);
  }
  const serial = frame[frame.length - 1];
  if (ackWanted) out.replies.push(Buffer.from(protocolVersion < 0x19 ? '(P35)' : `(P69,0,${serial})`, 'latin1'));
}

/** Text sentences, in the order they are recognised. */
function decodeText(frame: Buffer, conn: Connection<Jt600State>, out: DecodeOutput): void {
  const wlnet = frame.indexOf('WLNET,5,');
  if (wlnet > 0) {
    decodeWlnet(frame, conn, out);
    return;
  }
  const sentence = frame.toString('latin1');
  const fields = sentence.slice(1, -1).split(',');
  const id = fields[0];
  if (!/^\d+$/.test(id)) {
    reportError(out, conn, 'malformed', 'JT600 text frame without a terminal ID', frame);
    return;
  }
  identify(conn, id);
  if (sentence.includes('W01')) decodeW01(fields, sentence, conn, out, frame);
  else if (sentence.includes('P45')) decodeP45(fields, conn, out, frame);
  else if (fields[1] === '@JT') out.messages.push(newMessage(conn, 'heartbeat'));
  else if (fields[2] === 'U09') decodeU09(fields, conn, out);
  else if (/^U\d\d$/.test(fields[1] ?? '')) decodeU(fields, sentence, conn, out, frame);
  else reportError(out, conn, 'unknown-type', `JT600 sentence "${fields.slice(1, 3).join(',')}" not decoded`, frame);
}

/** ddmmyy + hhmmss in UTC. */
function dmyHms(date: string, time: string): number {
  return time.length === 6 ? digitsTime(date, time, 'dmy') : NaN;
}

function setTime(m: TrackerMessage, ms: number): void {
  setDeviceTime(m, ms);
}

const num = (s: string | undefined) =>
  s !== undefined && s !== '' && Number.isFinite(Number(s)) ? Number(s) : undefined;

/** W01 (older JT600): longitude first as dddmm.mmmm,E|W then ddmm.mmmm,N|S. */
function decodeW01(
  f: string[],
  sentence: string,
  conn: Connection<Jt600State>,
  out: DecodeOutput,
  frame: Buffer,
): void {
  const m = newMessage(conn, 'position');
  const coordinate = (v: string, hemi: string, degreeDigits: number) => {
    const d = Number(v.slice(0, degreeDigits)) + Number(v.slice(degreeDigits)) / 60;
    return hemi === 'S' || hemi === 'W' ? -d : d;
  };
  if (f.length < 16 || !/^\d{5}\.\d+$/.test(f[2]) || !/^\d{4}\.\d+$/.test(f[4])) {
    reportError(out, conn, 'malformed', `JT600 W01 sentence not understood: ${sentence.slice(0, 60)}`, frame);
    return;
  }
  m.lon = coordinate(f[2], f[3], 3);
  m.lat = coordinate(f[4], f[5], 2);
  m.valid = f[6] === 'A';
  setTime(m, dmyHms(f[7], f[8]));
  m.speed = num(f[9]) ?? 0; // km/h
  m.course = num(f[10]) ?? 0;
  m.attributes.power = num(f[11]) ?? 0;
  m.attributes.gps = num(f[12]) ?? 0;
  m.attributes.rssi = num(f[13]) ?? 0;
  m.attributes.alertType = num(f[14]) ?? 0;
  out.messages.push(m);
}

/**
 * U01/U02/U03 positions and U06 alarms: `(ID,Uxx[,alarm],ddmmyy,hhmmss,T|F,lat,N|S,lon,E|W,speed(mph),course,
 * sats,batt%,status bits,cid,lac,gsm,odometer km,serial[,CK])`. JT600c adds an XOR check code CK.
 */
function decodeU(f: string[], sentence: string, conn: Connection<Jt600State>, out: DecodeOutput, frame: Buffer): void {
  const type = f[1];
  let i = 2;
  let alarmCode: number | undefined;
  if (!/^\d{6}$/.test(f[i] ?? '') || !/^\d{6}$/.test(f[i + 1] ?? '')) alarmCode = num(f[i++]);
  if (f.length < i + 17) {
    if (type === 'U04') return; // an acknowledgement of ours, nothing to record
    reportError(out, conn, 'malformed', `JT600 ${type} sentence with ${f.length} fields`, frame);
    return;
  }
  const m = newMessage(conn, 'position');
  const a = m.attributes;
  setTime(m, dmyHms(f[i], f[i + 1]));
  m.valid = f[i + 2] === 'T';
  const lat = Number(f[i + 3]);
  const lon = Number(f[i + 5]);
  m.lat = f[i + 4] === 'S' ? -lat : lat;
  m.lon = f[i + 6] === 'W' ? -lon : lon;
  m.speed = round2((num(f[i + 7]) ?? 0) * MPH_TO_KMH);
  m.course = num(f[i + 8]) ?? 0;
  m.satellites = num(f[i + 9]) ?? 0;
  a.batteryLevel = num(f[i + 10]?.replace('%', '')) ?? 0;
  const bits = f[i + 11];
  if (/^[01]+$/.test(bits)) {
    m.status = parseInt(bits, 2);
    m.statusFormat = 'text';
  }
  const cid = num(f[i + 12]) ?? 0;
  const lac = num(f[i + 13]) ?? 0;
  m.network = { cellTowers: [{ mcc: 0, mnc: 0, lac, cid, rssi: num(f[i + 14]) ?? 0 }] };
  a.odometer = (num(f[i + 15]) ?? 0) * 1000;
  a.index = num(f[i + 16]) ?? 0;
  const ck = f[i + 17];
  if (ck !== undefined && /^[0-9A-F]{2}$/.test(ck)) {
    // XOR of every byte after "(" up to the comma before the check code
    const end = sentence.lastIndexOf(`,${ck}`) + 1;
    let x = 0;
    for (let k = 1; k < end; k++) x ^= sentence.charCodeAt(k);
    if (x !== parseInt(ck, 16)) {
      reportError(
        out,
        conn,
        'checksum',
        `JT600 ${type} check code ${ck}, computed ${x.toString(16).toUpperCase().padStart(2, '0')}`,
        frame,
      );
      if (conn.options.strictChecksum) return;
    }
  }
  if (type === 'U06') {
    a.alarmCode = alarmCode;
    addAlarm(m, 'general'); // the device's alarm code is kept in attributes.alarmCode
  }
  out.messages.push(m);
  if (type === 'U01' || type === 'U02' || type === 'U03') out.replies.push(Buffer.from('(S39)', 'latin1'));
  else if (type === 'U06') out.replies.push(Buffer.from('(S20)', 'latin1'));
}

/** P45: JT701 lock events, acknowledged with (P69,0,<index>). */
function decodeP45(f: string[], conn: Connection<Jt600State>, out: DecodeOutput, frame: Buffer): void {
  if (f.length < 17) {
    reportError(out, conn, 'malformed', `JT600 P45 sentence with ${f.length} fields`, frame);
    return;
  }
  const m = newMessage(conn, 'position');
  const a = m.attributes;
  setTime(m, dmyHms(f[2], f[3]));
  const lat = Number(f[4]);
  const lon = Number(f[6]);
  m.lat = f[5] === 'S' ? -lat : lat;
  m.lon = f[7] === 'W' ? -lon : lon;
  m.valid = f[8] === 'A';
  m.speed = round2((num(f[9]) ?? 0) * MPH_TO_KMH);
  m.course = num(f[10]) ?? 0;
  a.eventSource = num(f[11]);
  a.unlockVerification = num(f[12]);
  if (f[13] && f[13] !== '0000000000') a.driverUniqueId = f[13];
  a.passwordVerification = num(f[14]);
  a.wrongPasswordCount = num(f[15]);
  const index = f[16];
  out.messages.push(m);
  out.replies.push(Buffer.from(`(P69,0,${index})`, 'latin1'));
}

/** U09 trip report (GP6000): start and end of a trip. */
function decodeU09(f: string[], conn: Connection<Jt600State>, out: DecodeOutput): void {
  const m = newMessage(conn, 'trip');
  const a = m.attributes;
  // (ID,n,U09,trip,n,A,start yymmddhhmmss?,E,lon,S,lat,A,end,E,lon,S,lat,duration,distance,idle,n)
  const stamp = (s: string | undefined) => {
    if (s?.length !== 12) return undefined;
    const t = digitsTime(s.slice(0, 6), s.slice(6), 'dmy');
    return Number.isFinite(t) ? isoTime(t) : undefined;
  };
  const coordinate = (v: string | undefined, hemi: string | undefined) => {
    if (!v || !/^\d+\.\d+$/.test(v)) return undefined;
    const dot = v.indexOf('.');
    const d = Number(v.slice(0, dot - 2)) + Number(v.slice(dot - 2)) / 60;
    return hemi === 'S' || hemi === 'W' ? -d : d;
  };
  a.tripNumber = num(f[3]);
  a.startTime = stamp(f[6]);
  a.startLon = coordinate(f[8], f[7]);
  a.startLat = coordinate(f[10], f[9]);
  a.endTime = stamp(f[12]);
  a.endLon = coordinate(f[14], f[13]);
  a.endLat = coordinate(f[16], f[15]);
  a.duration = num(f[17]);
  a.distance = num(f[18]);
  a.idleTime = num(f[19]);
  pruneAttributes(a);
  out.messages.push(m);
}

/** WLNET: a wireless temperature/humidity sensor record with a location block, binary after the 6th comma. */
function decodeWlnet(frame: Buffer, conn: Connection<Jt600State>, out: DecodeOutput): void {
  identify(conn, frame.toString('latin1', 1, 11));
  let start = 0;
  for (let k = 0; k < 6; k++) {
    start = frame.indexOf(0x2c, start + 1);
    if (start < 0) {
      reportError(out, conn, 'malformed', 'JT600 WLNET frame without its binary part', frame);
      return;
    }
  }
  const r = new Reader(frame, start + 1, frame.length - 1, frame.length);
  const m = positionRecord(conn, r);
  const a = m.attributes;
  r.skip(6 + 5 + 1); // sensor time, id, index
  a.sensorBattery = r.u16() / 100;
  a.sensorBatteryLevel = r.u8();
  a.sensorRssi = -r.u8();
  if (r.u8() === 1) {
    const t = r.u16();
    if (t !== 0xffff) a.temp1 = ((t & 0xf000 ? -1 : 1) * (t & 0xfff)) / 10;
    a.humidity = r.u8();
  }
  out.messages.push(m);
}
