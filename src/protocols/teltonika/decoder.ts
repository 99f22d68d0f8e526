/**
 * Teltonika decoding (docs/protocols/teltonika.md): the IMEI login, AVL packets (Codec 8, 8 Extended, 16 and the
 * GH3000 codec 07) over TCP and in UDP datagrams, Codec 12 / 14 command answers and Codec 13 serial data.
 * An AVL packet is acknowledged with its record count only when it is whole: the right length, the right CRC and
 * every record readable. Anything less is reported and left unacknowledged, so the device sends it again.
 */
import { addAlarm, newMessage, readWithin, reportError, type Connection, type DecodeOutput } from '../codec';
import { crc16ibm } from '../common/checksum';
import { hexByte } from '../common/hex';
import { addCell } from '../common/network';
import { FrameTooShort, Reader } from '../common/reader';
import { setDeviceTime } from '../common/record';
import { trimControl } from '../common/text';
import type { TrackerMessage } from '../../types';
import {
  CODEC_12,
  CODEC_13,
  CODEC_14,
  CODEC_16,
  CODEC_8E,
  CODEC_GH3000,
  isAvlCodec,
  isLoginStart,
  PING,
} from './frame';
import { finishRecord, GH3000_IO, ioKey, ioProfile, type IoProfile, newScratch, rawValue } from './io';
import { readVariableElement } from './variable';

export interface TeltonikaState {
  /** The records of this device carry the 16-byte element group (learnt from the first packet that needs it). */
  extended: boolean;
  /**
   * Codec ID .. second count of the last damaged AVL packet, whose records were emitted but not acknowledged:
   * when the device sends the same data again, it is acknowledged without emitting its records twice.
   */
  unacked: Buffer | undefined;
}

export function createTeltonikaState(): TeltonikaState {
  return { extended: false, unacked: undefined };
}

/** IMEI: what a login or a datagram may name a device by. */
export const IMEI = /^[0-9]{8,20}$/;
/** GH3000 time: seconds since 2007-01-01 00:00:00 UTC. */
const GH3000_EPOCH = 1167609600;
/** Codec 12/14 message types. */
const COMMAND_RESPONSE = 0x06;
const IMEI_MISMATCH = 0x11;
const CAMERA = 0x0d;
/** Codec 13: a first word below this is not seconds since 1970 but the top of an 8-byte millisecond time. */
const YEAR_2000 = 946684800;

export function decodeTeltonikaFrame(frame: Buffer, conn: Connection<TeltonikaState>, out: DecodeOutput): void {
  if (frame.length === 1 && frame[0] === PING && conn.options.transport !== 'udp') return; // keep-alive
  if (frame.length < 2) {
    reportError(out, conn, 'malformed', 'a Teltonika frame has at least 2 bytes', frame);
    return;
  }
  readWithin(
    out,
    conn,
    frame,
    () => 'the Teltonika frame',
    () => {
      // over UDP every frame is a datagram (one cut from a damaged datagram is reported as one, never answered)
      if (conn.options.transport === 'udp') decodeDatagram(frame, conn, out);
      else if (frame[0] === 0 && frame[1] === 0) decodePacket(frame, conn, out);
      else if (isLoginStart(frame, 0)) decodeLogin(frame, conn, out);
      else decodeDatagram(frame, conn, out);
    },
  );
}

/** `00 LL` + LL ASCII digits, answered `01` (the server answers `00` instead when its policy refuses the IMEI). */
function decodeLogin(frame: Buffer, conn: Connection<TeltonikaState>, out: DecodeOutput): void {
  const imei = frame.toString('latin1', 2);
  if (frame.length !== frame[1] + 2 || !IMEI.test(imei)) {
    reportError(out, conn, 'malformed', 'a Teltonika login carries an IMEI of 8 to 20 digits', frame);
    return;
  }
  conn.deviceId = imei;
  out.messages.push(newMessage(conn, 'login'));
  out.replies.push(Buffer.from([0x01]));
}

/** `00000000` + data length + codec + count + ... + count + CRC-16/IBM: AVL data, command answers, serial data. */
function decodePacket(frame: Buffer, conn: Connection<TeltonikaState>, out: DecodeOutput): void {
  const n = frame.length;
  if (n < 15) {
    reportError(out, conn, 'malformed', `a Teltonika packet has at least 15 bytes, not ${n}`, frame);
    return;
  }
  const declared = frame.readUInt32BE(4);
  const codec = frame[8];
  const count = frame[9];
  const lengthOk = declared + 12 === n;
  let damaged = false;
  if (!lengthOk) {
    damaged = true;
    reportError(out, conn, 'length', `packet declares ${declared} data bytes and carries ${n - 12}`, frame);
  } else if (frame[n - 5] !== count) {
    damaged = true;
    reportError(out, conn, 'malformed', `record counts differ (${count} and ${frame[n - 5]})`, frame);
  }
  if (crc16ibm(frame, 8, n - 4) !== frame.readUInt32BE(n - 4)) {
    damaged = true;
    reportError(out, conn, 'checksum', 'CRC-16 mismatch', frame);
  }
  if (damaged && conn.options.strictChecksum) return;
  if (conn.deviceId === undefined) {
    reportError(out, conn, 'not-identified', 'a packet before the IMEI login: dropped, not acknowledged', frame);
    return;
  }
  // The records end at the second count; when the length lies, where that is is unknown: read as far as they go.
  const stop = n - 5;
  const limit = lengthOk ? stop : n;
  if (isAvlCodec(codec)) avlPacket(frame, conn, out, { codec, count, stop, limit, exact: lengthOk }, damaged);
  else if (codec === CODEC_12 || codec === CODEC_14)
    commandAnswers(new Reader(frame, 10, stop, limit), codec, count, conn, out, frame);
  else if (codec === CODEC_13) serialData(new Reader(frame, 10, stop, limit), count, lengthOk, conn, out);
  else reportError(out, conn, 'unknown-type', `Teltonika codec 0x${hexByte(codec)} is not decoded`, frame);
}

interface AvlLayout {
  codec: number;
  count: number;
  /** Where the records end (the second count). */
  stop: number;
  /** How far they may be read. */
  limit: number;
  /** The records must end exactly at `stop`. */
  exact: boolean;
}

function avlPacket(
  frame: Buffer,
  conn: Connection<TeltonikaState>,
  out: DecodeOutput,
  layout: AvlLayout,
  damaged: boolean,
): void {
  const records = readRecords(frame, 10, layout, conn);
  if (typeof records === 'string') {
    reportError(out, conn, 'malformed', records, frame);
    return;
  }
  const state = conn.state;
  const data = frame.subarray(8, frame.length - 4);
  const resent = state.unacked?.equals(data) === true;
  if (damaged) {
    // not acknowledged: the device sends it again; its records are not emitted a second time
    if (!resent) {
      for (const m of records) out.messages.push(m);
      state.unacked = Buffer.from(data);
    }
    return;
  }
  state.unacked = undefined;
  if (!resent) for (const m of records) out.messages.push(m);
  const ack = Buffer.alloc(4);
  ack.writeUInt32BE(layout.count);
  out.replies.push(ack);
}

/**
 * `length u16` · packet ID u16 · packet type · AVL packet ID · IMEI length u16 · IMEI · codec · count · records ·
 * count. No CRC; answered `00 05` · packet ID · `01` · AVL packet ID · count once every record was read.
 */
function decodeDatagram(frame: Buffer, conn: Connection<TeltonikaState>, out: DecodeOutput): void {
  const n = frame.length;
  if (n < 8 || frame.readUInt16BE(0) + 2 !== n) {
    reportError(out, conn, 'length', 'a Teltonika datagram must be as long as its length field says', frame);
    return;
  }
  const imeiLength = frame.readUInt16BE(6);
  const at = 8 + imeiLength;
  if (n < at + 3) {
    reportError(out, conn, 'malformed', 'Teltonika datagram too short for its IMEI', frame);
    return;
  }
  const imei = frame.toString('latin1', 8, at);
  if (!IMEI.test(imei)) {
    reportError(out, conn, 'malformed', 'a Teltonika datagram carries an IMEI of 8 to 20 digits', frame);
    return;
  }
  const codec = frame[at];
  const count = frame[at + 1];
  if (!isAvlCodec(codec)) {
    reportError(out, conn, 'unknown-type', `Teltonika codec 0x${hexByte(codec)} is not sent over UDP`, frame);
    return;
  }
  if (frame[n - 1] !== count) {
    reportError(out, conn, 'malformed', `record counts differ (${count} and ${frame[n - 1]})`, frame);
    return;
  }
  conn.deviceId = imei;
  const records = readRecords(frame, at + 2, { codec, count, stop: n - 1, limit: n - 1, exact: true }, conn);
  if (typeof records === 'string') {
    reportError(out, conn, 'malformed', records, frame);
    return;
  }
  for (const m of records) out.messages.push(m);
  out.replies.push(Buffer.from([0x00, 0x05, frame[2], frame[3], 0x01, frame[5], count]));
}

/**
 * The records of an AVL packet, or why they cannot be read. Codec 8/8E/16 records may carry a 16-byte element
 * group (a device setting the packet does not announce): a packet that does not add up one way is read the other,
 * and the way that fits is kept for the connection.
 */
function readRecords(frame: Buffer, start: number, layout: AvlLayout, conn: Connection<TeltonikaState>) {
  const first = readAll(frame, start, layout, conn, conn.state.extended);
  if (typeof first !== 'string' || layout.codec === CODEC_GH3000) return first;
  const second = readAll(frame, start, layout, conn, !conn.state.extended);
  if (typeof second === 'string') return first;
  conn.state.extended = !conn.state.extended;
  return second;
}

function readAll(
  frame: Buffer,
  start: number,
  layout: AvlLayout,
  conn: Connection<TeltonikaState>,
  extended: boolean,
): TrackerMessage[] | string {
  const r = new Reader(frame, start, layout.stop, layout.limit);
  const profile = ioProfile(conn.options.model);
  const records: TrackerMessage[] = [];
  try {
    for (let i = 0; i < layout.count; i++)
      records.push(
        layout.codec === CODEC_GH3000 ? gh3000Record(r, conn) : avlRecord(r, layout.codec, conn, profile, extended),
      );
  } catch (err) {
    if (!(err instanceof FrameTooShort)) throw err;
    return `record ${records.length + 1} of ${layout.count} runs past the end of the packet`;
  }
  if (layout.exact && r.pos !== layout.stop)
    return `${layout.count} records end ${r.pos < layout.stop ? 'before' : 'after'} the packet's record count`;
  return records;
}

/** One Codec 8 / 8 Extended / 16 record. */
function avlRecord(
  r: Reader,
  codec: number,
  conn: Connection<TeltonikaState>,
  profile: IoProfile,
  extended: boolean,
): TrackerMessage {
  const m = newMessage(conn, 'position');
  const a = m.attributes;
  setDeviceTime(m, r.u64());
  const priority = r.u8();
  const lon = r.i32(); // longitude comes first
  m.lat = r.i32() / 1e7;
  m.lon = lon / 1e7;
  m.altitude = r.i16();
  m.course = r.u16();
  const satellites = r.u8();
  m.satellites = satellites;
  m.valid = satellites > 0;
  m.speed = r.u16();
  a.priority = priority;
  if (priority === 2) addAlarm(m, 'sos');
  const wide = codec === CODEC_8E; // counts and IDs of two bytes
  const wideIds = wide || codec === CODEC_16;
  a.event = wideIds ? r.u16() : r.u8();
  if (codec === CODEC_16) a.generationType = r.u8();
  if (wide) r.u16();
  else r.u8(); // number of elements: the groups say it again
  const cell = newScratch();
  const buf = r.buf;
  for (let size = 1; size <= (extended ? 16 : 8); size *= 2) {
    const n = wide ? r.u16() : r.u8();
    for (let i = 0; i < n; i++) {
      const id = wideIds ? r.u16() : r.u8();
      const at = r.pos;
      r.skip(size);
      const handler = size <= 8 ? profile.get(id) : undefined;
      if (handler) handler(m, buf, at, size, cell);
      else a[ioKey(id)] = size === 16 ? buf.toString('hex', at, at + 16) : rawValue(buf, at, size);
    }
  }
  if (wide) {
    const n = r.u16();
    for (let i = 0; i < n; i++) {
      const id = r.u16();
      readVariableElement(m, id, r.slice(r.u16()));
    }
  }
  finishRecord(m, cell);
  return m;
}

/** One GH3000 (codec 07) record: masks say which GPS fields and element groups follow. */
function gh3000Record(r: Reader, conn: Connection<TeltonikaState>): TrackerMessage {
  const seconds = (r.u32() & 0x3fffffff) + GH3000_EPOCH;
  const global = r.u8();
  const m = newMessage(conn, global & 1 ? 'position' : 'status');
  const a = m.attributes;
  setDeviceTime(m, seconds * 1000);
  const buf = r.buf;
  if (global & 1) {
    const gps = r.u8();
    if (gps & 0x01) {
      const at = r.pos;
      r.skip(8);
      m.lat = buf.readFloatBE(at);
      m.lon = buf.readFloatBE(at + 4);
    }
    if (gps & 0x02) m.altitude = r.u16();
    if (gps & 0x04) m.course = (r.u8() * 360) / 256;
    if (gps & 0x08) m.speed = r.u8();
    if (gps & 0x10) m.satellites = r.u8();
    if (gps & 0x20) {
      const lac = r.u16();
      const cid = r.u16();
      const rssi = gps & 0x40 ? r.u8() : undefined;
      const operator = gps & 0x80 ? r.u32() : undefined;
      if (operator !== undefined && operator >= 1000) {
        const digits = String(operator);
        const tower = { mcc: Number(digits.slice(0, 3)), mnc: Number(digits.slice(3)), lac, cid };
        addCell(m, rssi === undefined ? tower : { ...tower, rssi });
      }
    } else {
      if (gps & 0x40) a.rssi = r.u8();
      if (gps & 0x80) a.operator = r.u32();
    }
    if (m.lat === undefined) m.type = 'status';
    else m.valid = m.satellites === undefined || m.satellites > 0;
  }
  const cell = newScratch();
  for (let bit = 1, size = 1; bit <= 3; bit++, size *= 2) {
    if (!(global & (1 << bit))) continue;
    const n = r.u8();
    for (let i = 0; i < n; i++) {
      const id = r.u8();
      const at = r.pos;
      r.skip(size);
      const handler = GH3000_IO.get(id);
      if (handler) handler(m, buf, at, size, cell);
      else a[ioKey(id)] = rawValue(buf, at, size);
    }
  }
  return m;
}

/** Printable: every byte from space to `~`, or CR / LF. */
function printable(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if ((c < 0x20 && c !== 0x0d && c !== 0x0a) || c > 0x7e) return false;
  }
  return true;
}

function payloadText(b: Buffer): string {
  return printable(b) ? trimControl(b.toString('latin1')) : b.toString('hex');
}

/**
 * Codec 12 (and 14, which adds the IMEI): the device's answers to commands, never acknowledged. Type 06 is an
 * answer; Codec 14 type 11 says the IMEI in the command was not this device's, so it did not run.
 */
function commandAnswers(
  r: Reader,
  codec: number,
  count: number,
  conn: Connection<TeltonikaState>,
  out: DecodeOutput,
  frame: Buffer,
): void {
  for (let i = 0; i < count; i++) {
    const type = r.u8();
    let size = r.u32();
    if (type === CAMERA) {
      reportError(out, conn, 'unknown-type', 'Teltonika camera frames (Codec 12 type 0x0D) are not decoded', frame);
      return;
    }
    if (codec === CODEC_14) {
      r.skip(8); // the IMEI the command named
      size -= 8;
    }
    const payload = r.slice(size);
    if (type !== COMMAND_RESPONSE && type !== IMEI_MISMATCH) {
      reportError(out, conn, 'unknown-type', `Teltonika command message type 0x${hexByte(type)}`, frame);
      continue;
    }
    const m = newMessage(conn, 'result');
    if (type === IMEI_MISMATCH) {
      m.attributes.resultText = 'the IMEI in the command is not this device’s: not run';
      out.answers.push({ status: 'failed', result: m.attributes.resultText, final: true });
    } else {
      const result = payloadText(payload);
      m.attributes.result = result;
      out.answers.push({ status: 'result', result, final: true });
    }
    out.messages.push(m);
  }
}

/**
 * Codec 13: serial-port data with the device's time stamp, never acknowledged. The size field includes the
 * 4-byte time stamp (some firmware leaves it out, some sends an 8-byte millisecond time): a packet with one
 * message takes the payload from the packet's own length instead.
 */
function serialData(
  r: Reader,
  count: number,
  lengthOk: boolean,
  conn: Connection<TeltonikaState>,
  out: DecodeOutput,
): void {
  for (let i = 0; i < count; i++) {
    r.u8(); // type: 05 in older documents, 06 in newer ones
    const size = r.u32();
    const m = newMessage(conn, 'data');
    let stamp = r.u32();
    let used = 4;
    if (stamp < YEAR_2000 && r.remaining >= 4) {
      const ms = stamp * 0x100000000 + r.u32();
      if (ms >= YEAR_2000 * 1000) {
        stamp = ms / 1000;
        used = 8;
      } else r.pos -= 4;
    }
    setDeviceTime(m, stamp * 1000);
    const payload = r.slice(count === 1 && lengthOk ? r.remaining : size - used);
    const text = payloadText(payload);
    m.attributes.data = text;
    // a driver card read by the GTSL reader: GTSL|...|...|...|<card>|...
    if (text.startsWith('GTSL')) {
      const card = text.split('|')[4];
      if (card) m.attributes.driverUniqueId = card;
    }
    out.messages.push(m);
  }
}
