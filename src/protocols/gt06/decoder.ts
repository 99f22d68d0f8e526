/**
 * GT06 message decoding (protocol notes §2-§7): one complete frame in, TrackerMessages and replies out.
 * Layout facts come from the public protocol documents and Traccar's decoder; the code is our own.
 */
import { addAlarm, newMessage, reportError, type Connection, type DecodeOutput } from '../codec';
import { crc16x25 } from '../common/checksum';
import { deviceTime, isoTime } from '../common/time';
import type { TrackerMessage } from '../../types';
import { ackFrame, timeReplyFrame } from './replies';
import { alarmName, terminalInfoAlarm } from './alarms';

export interface Gt06State {
  /** Device clock offset from UTC in minutes, announced at login. */
  loginTimezone: number | undefined;
}

export const MSG_LOGIN = 0x01;
export const MSG_GPS = 0x10;
export const MSG_GPS_LBS_6 = 0x11;
export const MSG_GPS_LBS_1 = 0x12;
export const MSG_STATUS = 0x13;
export const MSG_GPS_LBS_STATUS_1 = 0x16;
export const MSG_TIME_REQUEST = 0x8a;

/** Reads fields of one frame; `pos` walks the content, `stop` is where serial + CRC begin. */
class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    readonly stop: number,
  ) {
    this.pos = start;
  }
  get remaining(): number {
    return this.stop - this.pos;
  }
  u8(): number {
    return this.buf[this.pos++];
  }
  u16(): number {
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  u24(): number {
    const v = this.buf.readUIntBE(this.pos, 3);
    this.pos += 3;
    return v;
  }
  u32(): number {
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
}

export function decodeGt06Frame(frame: Buffer, conn: Connection<Gt06State>, out: DecodeOutput): void {
  const extended = frame[0] === 0x79;
  const head = extended ? 4 : 3;
  if (frame.length < head + 5) {
    reportError(out, conn, 'malformed', 'GT06 frame too short', frame);
    return;
  }
  const type = frame[head];
  // Serial and CRC are the 4 bytes before 0d0a, whatever the length field says (as devices and Traccar agree).
  const stop = frame.length - 6;
  const serial = frame.readUInt16BE(stop);
  if (!checkCrc(frame, conn, out)) return;

  if (type === MSG_LOGIN) {
    decodeLogin(frame, new Reader(frame, head + 1, stop), serial, conn, out);
    return;
  }
  if (conn.deviceId === undefined) {
    reportError(out, conn, 'not-identified', `GT06 type 0x${hex2(type)} before login: dropped`, frame);
    return;
  }
  const r = new Reader(frame, head + 1, stop);
  switch (type) {
    case MSG_GPS:
    case MSG_GPS_LBS_6:
    case MSG_GPS_LBS_1:
    case MSG_GPS_LBS_STATUS_1: {
      const msg = newMessage(conn, 'position');
      decodeGps(r, msg, deviceClockOffset(conn));
      if (type === MSG_GPS_LBS_STATUS_1) {
        const lbsLength = r.u8(); // counts itself
        if (lbsLength >= 9 && r.remaining >= lbsLength - 1) {
          decodeLbs(r, msg, type);
          r.pos += lbsLength - 9;
        }
      } else if (type !== MSG_GPS && r.remaining >= 8) decodeLbs(r, msg, type);
      if (type === MSG_GPS_LBS_STATUS_1 && r.remaining >= 5) decodeStatus(r, msg);
      decodeTrailer(r, msg);
      out.messages.push(msg);
      out.replies.push(ackFrame(type, serial));
      return;
    }
    case MSG_STATUS: {
      const msg = newMessage(conn, 'heartbeat');
      if (r.remaining >= 5) decodeStatus(r, msg);
      out.messages.push(msg);
      out.replies.push(ackFrame(type, serial));
      return;
    }
    case 0x15: {
      // command answer: length, server flag (echoes the command's), ASCII text
      const length = r.u8();
      if (length < 4 || r.remaining < length) {
        reportError(out, conn, 'malformed', 'GT06 0x15 answer shorter than its length', frame);
        return;
      }
      const msg = newMessage(conn, 'result');
      msg.attributes.serverFlag = r.u32();
      msg.attributes.result = frame.toString('latin1', r.pos, r.pos + length - 4);
      out.messages.push(msg);
      out.replies.push(ackFrame(type, serial));
      return;
    }
    case MSG_TIME_REQUEST:
      out.replies.push(timeReplyFrame(conn.now));
      return;
    default:
      reportError(out, conn, 'unknown-type', `GT06 type 0x${hex2(type)} not decoded`, frame);
      if (!extended && (type < 0x80 || type > 0x82)) out.replies.push(ackFrame(type, serial));
  }
}

function checkCrc(frame: Buffer, conn: Connection<Gt06State>, out: DecodeOutput): boolean {
  const crcAt = frame.length - 4;
  if (crc16x25(frame, 2, crcAt) === frame.readUInt16BE(crcAt)) return true;
  reportError(out, conn, 'checksum', 'GT06 CRC mismatch', frame);
  return !conn.options.strictChecksum;
}

function decodeLogin(frame: Buffer, r: Reader, serial: number, conn: Connection<Gt06State>, out: DecodeOutput): void {
  if (r.remaining < 8) {
    reportError(out, conn, 'malformed', 'GT06 login without IMEI', frame);
    return;
  }
  const imei = frame.toString('hex', r.pos, r.pos + 8).slice(1);
  r.pos += 8;
  let deviceType: number | undefined;
  let timezone: number | undefined;
  if (r.remaining >= 2) deviceType = r.u16();
  if (r.remaining >= 2) {
    const bits = r.u16();
    const hhmm = bits >> 4;
    const minutes = Math.floor(hhmm / 100) * 60 + (hhmm % 100);
    timezone = bits & 0x08 ? -minutes : minutes;
  }
  conn.deviceId = imei;
  conn.state.loginTimezone = timezone;
  const msg = newMessage(conn, 'login');
  if (deviceType !== undefined) msg.attributes.deviceType = deviceType;
  if (timezone !== undefined) msg.attributes.timezoneOffset = timezone;
  out.messages.push(msg);
  out.replies.push(ackFrame(MSG_LOGIN, serial));
}

/** Minutes east of UTC of the device clock: configured, else announced at login, else UTC. */
function deviceClockOffset(conn: Connection<Gt06State>): number {
  return conn.options.timezoneOffset ?? conn.state.loginTimezone ?? 0;
}

/** Date (6 bytes) + GPS block (12 bytes). */
function decodeGps(r: Reader, msg: TrackerMessage, offset: number): void {
  const b = r.buf;
  const p = r.pos;
  const ms = deviceTime(2000 + b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], offset);
  if (Number.isFinite(ms)) msg.time = isoTime(ms);
  r.pos += 6;
  msg.satellites = r.u8() & 0x0f;
  let lat = r.u32() / 1800000;
  let lon = r.u32() / 1800000;
  msg.speed = r.u8();
  const flags = r.u16();
  msg.course = flags & 0x3ff;
  msg.valid = (flags & 0x1000) !== 0;
  if (!(flags & 0x400)) lat = -lat;
  if (flags & 0x800) lon = -lon;
  msg.lat = lat;
  msg.lon = lon;
  if (flags & 0x4000) msg.ignition = (flags & 0x8000) !== 0;
}

/** MCC, MNC, LAC, CID. */
function decodeLbs(r: Reader, msg: TrackerMessage, type: number): void {
  let mcc = r.u16();
  const longMnc = (mcc & 0x8000) !== 0 || type === MSG_GPS_LBS_6;
  mcc &= 0x7fff;
  const mnc = longMnc ? r.u16() : r.u8();
  const lac = r.u16();
  const cid = type === MSG_GPS_LBS_6 ? r.u32() : r.u24();
  msg.network = { cellTowers: [{ mcc, mnc, lac, cid }] };
}

/** Terminal info, voltage level, GSM level, alarm, language. */
function decodeStatus(r: Reader, msg: TrackerMessage): void {
  const info = r.u8();
  msg.terminalInfo = info;
  msg.ignition = (info & 0x02) !== 0;
  msg.attributes.charge = (info & 0x04) !== 0;
  msg.attributes.blocked = (info & 0x80) !== 0;
  addAlarm(msg, terminalInfoAlarm(info));
  const voltage = r.u8();
  if (voltage <= 6) msg.attributes.batteryLevel = Math.floor((voltage * 100) / 6);
  else if (voltage <= 100) msg.attributes.batteryLevel = voltage;
  msg.attributes.rssi = r.u8();
  addAlarm(msg, alarmName(r.u8()));
  r.pos++; // language
}

/** Optional ACC / upload mode / re-upload and odometer bytes after the LBS or status block. */
function decodeTrailer(r: Reader, msg: TrackerMessage): void {
  const left = r.remaining;
  if (left === 3 || left === 7) {
    msg.ignition = r.u8() > 0;
    msg.attributes.event = r.u8();
    msg.attributes.archive = r.u8() > 0;
  }
  if (r.remaining === 4) msg.attributes.odometer = r.u32();
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
