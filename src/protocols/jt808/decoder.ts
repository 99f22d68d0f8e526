/**
 * JT/T 808 message decoding (docs/protocols/jt808.md): one frame in, records and replies out, with
 * sub-package reassembly. Facts from the standard, public servers and Traccar's decoder; our own code.
 */
import { knotsToKmh } from '../common/units';
import { setDeviceTime } from '../common/record';
import { hexWord } from '../common/hex';
import { newMessage, reportError, type Connection, type DecodeOutput, readWithin } from '../codec';
import { isBcd, toBcdByte } from '../common/bcd';
import { xor8 } from '../common/checksum';
import { FrameTooShort, Reader } from '../common/reader';
import { gbk, trimControl, utf16be } from '../common/text';
import { utcDateFields } from '../common/time';
import { decodeJointechLocation, LOCATION_BLOCK_LENGTH } from '../jt600/location';
import type { TrackerMessage } from '../../types';
import type { AlarmName } from '../../vocabulary';
import { unescapeFrame } from './frame';
import { BASIC_BLOCK_LENGTH, clockOffset, readBcdTime, readLocation, type LocationContext } from './location';
import { buildMessage, decodeTerminalId, parseHeader, type Header } from './message';
import { nextSerial, type Jt808State, type Reassembly } from './state';
import { decodeTransparent } from './transparent';
import { dataAnswer, generalAnswer, queryAnswer } from './commands';

const MSG = {
  TERMINAL_RESPONSE: 0x0001,
  HEARTBEAT: 0x0002,
  LOGOUT: 0x0003,
  TIME_QUERY: 0x0004,
  REGISTER: 0x0100,
  AUTH: 0x0102,
  PARAMETERS: 0x0104,
  ATTRIBUTES: 0x0107,
  UPGRADE_RESULT: 0x0108,
  TIME_SYNC: 0x0109,
  LOCATION: 0x0200,
  LOCATION_ANSWER: 0x0201,
  BATCH_2: 0x0210,
  EVENT_REPORT: 0x0301,
  VEHICLE_CONTROL_ANSWER: 0x0500,
  HEARTBEAT_2: 0x0506,
  WAYBILL: 0x0701,
  DRIVER: 0x0702,
  BATCH: 0x0704,
  MEDIA_EVENT: 0x0800,
  MEDIA: 0x0801,
  CAMERA_ANSWER: 0x0805,
  TRANSPARENT: 0x0900,
  TIMEZONE_SYNC: 0x1007,
  TEXT_ANSWER: 0x1300,
  ACCELERATION: 0x2070,
  JOINTECH: 0x5501,
  JOINTECH_BLIND: 0x5502,
  TEXT_REPORT: 0x6006,
  PHOTO: 0x8888,
} as const;

/** Platform messages. */
export const PLATFORM = {
  GENERAL_RESPONSE: 0x8001,
  RESEND_REQUEST: 0x8003,
  TIME: 0x8004,
  REGISTER_RESPONSE: 0x8100,
  TIME_SYNC_RESPONSE: 0x8109,
  MEDIA_RESPONSE: 0x8800,
  JOINTECH_RESPONSE: 0x4401,
} as const;

/** General-response result codes. */
const RESULT_OK = 0;
const RESULT_FAILURE = 1;
const RESULT_UNSUPPORTED = 3;
const RESULT_TEXT = ['success', 'failure', 'message error', 'unsupported', 'alarm confirmed'];

/**
 * Sub-package limits, per connection: messages being reassembled at once; packages one message may claim (2048
 * full packages are 2 MiB); bytes held, each package costing its body plus `packageCost` (the Buffer and map entry
 * that keep it); time without a new package before asking for the missing ones with 0x8003; requests without a
 * new package in between before the message is dropped; package indexes per 0x8003 (its count is one byte in
 * 2011/2013).
 */
export const REASSEMBLY = {
  maxMessages: 8,
  maxPackages: 2048,
  maxBytes: 2 * 1024 * 1024,
  packageCost: 64,
  timeoutMs: 10000,
  maxRequests: 3,
  maxResendIds: 255,
};

interface Ctx extends LocationContext {
  header: Header;
  /** Sub-packages were each answered with 0x8001 already: no second general response. */
  acked?: boolean;
  /** Where the (reassembled) body lives: reader bounds. */
  body: Buffer;
}

export function decodeJt808Frame(frame: Buffer, conn: Connection<Jt808State>, out: DecodeOutput): void {
  if (frame[0] === 0x28) {
    decodeText(frame, conn, out);
    return;
  }
  const m = unescapeFrame(frame);
  const alternative = frame[0] === 0xe7;
  const h = parseHeader(m, alternative);
  if (!h) {
    reportError(out, conn, 'malformed', `JT/T 808 frame of ${m.length} bytes is shorter than its header`, frame);
    return;
  }
  const state = conn.state;
  const checksumOk = xor8(m, 0, m.length - 1) === m[m.length - 1];
  const bodyEnd = m.length - 1;
  const actual = bodyEnd - h.bodyStart;
  const lengthOk = actual === h.bodyLength;
  if (!checksumOk && !lengthOk && !state.trusted) {
    // Nothing vouches for this frame and no good one came before it: junk, not a terminal. No reply.
    reportError(
      out,
      conn,
      'malformed',
      'JT/T 808 frame with a wrong check code and length before any valid frame: dropped',
      frame,
    );
    return;
  }
  if (!checksumOk) {
    reportError(out, conn, 'checksum', `JT/T 808 check code mismatch in message 0x${hexWord(h.msgId)}`, frame);
    if (conn.options.strictChecksum) return;
  }
  if (!lengthOk)
    reportError(
      out,
      conn,
      'length',
      `JT/T 808 message 0x${hexWord(h.msgId)} declares ${h.bodyLength} body bytes, carries ${Math.max(0, actual)}`,
      frame,
    );
  if (actual < 0) return;
  if (checksumOk && lengthOk) state.trusted = true;

  state.version = h.version;
  state.delimiter = frame[0];
  if (!state.idBytes?.equals(h.idBytes)) {
    state.idBytes = Buffer.from(h.idBytes);
    conn.deviceId = decodeTerminalId(h.idBytes);
  }
  const c: Ctx = { conn, out, frame, model: (conn.options.model ?? '').toUpperCase(), header: h, body: m };
  if (h.packageTotal > 0) {
    subpackage(c, m.subarray(h.bodyStart, bodyEnd));
    return;
  }
  dispatch(c, new Reader(m, h.bodyStart, bodyEnd, bodyEnd));
}

/** Replies to the message being decoded, echoing its ID bytes and version. */
function reply(c: Ctx, msgId: number, body: Buffer, shortSerial = false): void {
  const s = c.conn.state;
  c.out.replies.push(
    buildMessage(msgId, body, c.header.idBytes, c.header.version, shortSerial ? 1 : nextSerial(s), {
      shortSerial,
      delimiter: s.delimiter,
    }),
  );
}

function generalResponse(c: Ctx, result = RESULT_OK, serial = c.header.serial, msgId = c.header.msgId): void {
  if (c.acked) return;
  const body = Buffer.allocUnsafe(5);
  body.writeUInt16BE(serial, 0);
  body.writeUInt16BE(msgId, 2);
  body[4] = result;
  reply(c, PLATFORM.GENERAL_RESPONSE, body);
}

function dispatch(c: Ctx, r: Reader): void {
  readWithin(
    c.out,
    c.conn,
    c.frame,
    () => `JT/T 808 message 0x${hexWord(c.header.msgId)}`,
    () => handle(c, r),
  );
}

type Handler = (c: Ctx, r: Reader) => void;

/** 0x0201 / 0x0500: a position answering 0x8201 / 0x8500, naming the serial of the command. */
const locationAnswer: Handler = (c, r) => {
  const { out, conn } = c;
  const end = r.stop;
  generalResponse(c);
  const m = newMessage(conn, 'position');
  const serial = r.u16();
  m.attributes.answerSerial = serial;
  readLocation(r, end, m, c);
  out.messages.push(m);
  const { time, lat, lon, valid, speed, course } = m;
  out.answers.push(dataAnswer(conn.state, serial, { time, lat, lon, valid, speed, course }));
};

/** Messages that only want the general response. */
const acknowledgeOnly: Handler = (c) => {
  generalResponse(c);
};

/** 0x5501 / 0x5502: Jointech JT707A-style location (the JT600 block), acknowledged when it asks. */
const jointech: Handler = (c, r) => {
  const { header: h, out } = c;
  if (h.props & 0x8000)
    reply(c, PLATFORM.JOINTECH_RESPONSE, Buffer.from([h.msgId >> 8, h.msgId & 0xff, RESULT_OK]), true);
  out.messages.push(decodeJointech(c, r));
};

/** What each uplink message does: its record(s), its reply. */
const HANDLERS: Record<number, Handler> = {
  [MSG.TERMINAL_RESPONSE]: (c, r) => {
    const { out, conn } = c;
    const m = newMessage(conn, 'result');
    const serial = r.u16();
    m.attributes.answerSerial = serial;
    m.attributes.answerMessageId = r.u16();
    const result = r.u8();
    const text = RESULT_TEXT[result] ?? 'unknown';
    m.attributes.resultCode = result;
    m.attributes.resultText = text;
    out.messages.push(m);
    out.answers.push(generalAnswer(conn.state, serial, result, text));
    // a response: never answered
  },
  [MSG.HEARTBEAT]: (c, r) => {
    const { out, conn } = c;
    generalResponse(c);
    const m = newMessage(conn, 'heartbeat');
    if (r.remaining >= 3) {
      m.attributes.batteryLevel = r.u8();
      m.attributes.rssi = r.u8();
      m.attributes.status = r.u8();
    }
    out.messages.push(m);
  },
  [MSG.LOGOUT]: (c) => {
    const { out, conn } = c;
    generalResponse(c);
    out.messages.push(newMessage(conn, 'logout'));
  },
  [MSG.TIME_QUERY]: (c) => {
    reply(c, PLATFORM.TIME, Buffer.from(utcDateFields(c.conn.now).map(toBcdByte)));
  },
  [MSG.REGISTER]: (c, r) => {
    const { header: h, out, conn } = c;
    const m = newMessage(conn, 'register');
    decodeRegistration(r, m, h);
    // the auth code is the terminal ID as sent (leading zeros kept, as Traccar does); any code is accepted back
    const code = Buffer.from(authCode(h.idBytes), 'ascii');
    const body = Buffer.alloc(3 + code.length);
    body.writeUInt16BE(h.serial, 0);
    body[2] = RESULT_OK;
    code.copy(body, 3);
    reply(c, PLATFORM.REGISTER_RESPONSE, body);
    m.attributes.authCode = code.toString('ascii');
    out.messages.push(m);
  },
  [MSG.AUTH]: (c, r) => {
    const { header: h, out, conn } = c;
    generalResponse(c);
    const m = newMessage(conn, 'authentication');
    if (h.version !== undefined && r.remaining > 0) {
      const n = r.u8();
      m.attributes.authCode = gbk(r.slice(Math.min(n, r.remaining)));
      if (r.remaining >= 15) m.attributes.imei = r.ascii(15).replace(/\0/g, '');
      if (r.remaining >= 20) m.attributes.versionFw = trimControl(r.ascii(20));
    } else m.attributes.authCode = gbk(r.slice(r.remaining));
    out.messages.push(m);
  },
  [MSG.PARAMETERS]: (c, r) => {
    const { out, conn } = c;
    generalResponse(c);
    const m = newMessage(conn, 'result');
    const serial = r.u16();
    const parameters = decodeParameters(c, r);
    m.attributes.answerSerial = serial;
    m.attributes.parameters = parameters;
    out.messages.push(m);
    out.answers.push(dataAnswer(conn.state, serial, parameters));
  },
  [MSG.ATTRIBUTES]: (c, r) => {
    const { header: h, out, conn } = c;
    generalResponse(c);
    const m = newMessage(conn, 'status');
    const a = m.attributes;
    a.terminalType = r.u16();
    const wide = h.version !== undefined;
    a.manufacturer = text(r.slice(wide ? 11 : 5));
    a.terminalModel = text(r.slice(wide ? 30 : 20));
    a.terminalId = text(r.slice(wide ? 30 : 7));
    a.iccid = r.hex(10);
    if (r.remaining > 0) a.versionHw = text(r.slice(Math.min(r.u8(), r.remaining)));
    if (r.remaining > 0) a.versionFw = text(r.slice(Math.min(r.u8(), r.remaining)));
    out.messages.push(m);
    const answer = queryAnswer(conn.state, h.msgId, { ...a });
    if (answer) out.answers.push(answer);
  },
  [MSG.TIME_SYNC]: (c) => {
    const { conn } = c;
    const d = new Date(conn.now);
    const body = Buffer.alloc(8);
    body.writeUInt16BE(d.getUTCFullYear(), 0);
    body.set(
      [d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), RESULT_OK],
      2,
    );
    reply(c, PLATFORM.TIME_SYNC_RESPONSE, body);
  },
  [MSG.LOCATION]: (c, r) => {
    const { out, conn } = c;
    const end = r.stop;
    generalResponse(c);
    const m = newMessage(conn, 'position');
    readLocation(r, end, m, c);
    out.messages.push(m);
  },
  [MSG.LOCATION_ANSWER]: locationAnswer,
  [MSG.VEHICLE_CONTROL_ANSWER]: locationAnswer,
  [MSG.BATCH_2]: (c, r) => {
    const { out, conn } = c;
    generalResponse(c);
    if (r.remaining === 7) {
      const m = newMessage(conn, 'status');
      m.attributes.batteryLevel = r.u8();
      const t = readBcdTime(r, clockOffset(conn));
      setDeviceTime(m, t);
      out.messages.push(m);
    } else decodeBatch(c, r, false);
  },
  [MSG.BATCH]: (c, r) => {
    generalResponse(c);
    decodeBatch(c, r, true);
  },
  [MSG.HEARTBEAT_2]: acknowledgeOnly,
  [MSG.PHOTO]: acknowledgeOnly,
  [MSG.TIMEZONE_SYNC]: acknowledgeOnly,
  [MSG.WAYBILL]: (c, r) => {
    generalResponse(c);
    textResult(c.conn, c.out, r.ascii(Math.min(r.u32(), r.remaining)));
  },
  [MSG.DRIVER]: (c, r) => {
    const { out, conn } = c;
    generalResponse(c);
    const m = newMessage(conn, 'status');
    const a = m.attributes;
    a.cardStatus = r.u8();
    const t = readBcdTime(r, clockOffset(conn));
    setDeviceTime(m, t);
    if (r.remaining > 0) {
      a.cardResult = r.u8();
      a.driver = r.ascii(r.u8());
      a.cardCode = trimControl(r.ascii(20));
      a.cardAgency = r.ascii(r.u8());
      a.cardValidity = r.hex(4);
    }
    out.messages.push(m);
  },
  [MSG.MEDIA_EVENT]: (c, r) => {
    const { conn, out } = c;
    generalResponse(c);
    const m = newMessage(conn, 'status');
    m.attributes.mediaEvent = { id: r.u32(), type: r.u8(), format: r.u8(), event: r.u8(), channel: r.u8() };
    out.messages.push(m);
  },
  [MSG.MEDIA]: (c, r) => {
    decodeMedia(c, r);
  },
  [MSG.CAMERA_ANSWER]: (c, r) => {
    const { out, conn } = c;
    generalResponse(c);
    const m = newMessage(conn, 'result');
    const serial = r.u16();
    m.attributes.answerSerial = serial;
    m.attributes.resultCode = r.u8();
    const ids: number[] = [];
    if (r.remaining >= 2) for (let n = r.u16(); n > 0 && r.remaining >= 4; n--) ids.push(r.u32());
    m.attributes.mediaIds = ids;
    out.messages.push(m);
    out.answers.push(dataAnswer(conn.state, serial, ids));
  },
  [MSG.TRANSPARENT]: (c, r) => {
    generalResponse(c);
    const start = r.pos;
    const m = decodeTransparent(r, c);
    if (m) {
      if (m.lat !== undefined) m.type = 'position';
      c.out.messages.push(m);
      return;
    }
    // a type we do not decode (GNSS detail, IC card data, serial ports...) still comes out, as it is
    const raw = newMessage(c.conn, 'data');
    raw.attributes.dataType = r.buf[start];
    raw.attributes.data = r.buf.toString('hex', start + 1, r.stop);
    c.out.messages.push(raw);
  },
  [MSG.UPGRADE_RESULT]: (c, r) => {
    generalResponse(c);
    const m = newMessage(c.conn, 'result');
    m.attributes.upgradeType = r.u8();
    m.attributes.resultCode = r.u8();
    m.attributes.resultText = ['success', 'failure', 'cancelled'][m.attributes.resultCode] ?? 'unknown';
    c.out.messages.push(m);
  },
  [MSG.EVENT_REPORT]: (c, r) => {
    generalResponse(c);
    const m = newMessage(c.conn, 'status');
    m.attributes.event = r.u8();
    c.out.messages.push(m);
  },
  [MSG.TEXT_ANSWER]: (c, r) => {
    const serial = r.u16();
    textResult(c.conn, c.out, trimControl(utf16be(r.slice(r.remaining))), serial);
    // a response: never answered
  },
  [MSG.ACCELERATION]: (c, r) => {
    const { conn, out } = c;
    generalResponse(c);
    const m = newMessage(conn, 'status');
    const samples: string[] = [];
    const signed = (v: number) => (v & 0x8000 ? -(v & 0x7fff) : v & 0x7fff);
    while (r.remaining >= 12) {
      r.skip(6); // time
      samples.push(`[${signed(r.u16())},${signed(r.u16())},${signed(r.u16())}]`);
    }
    m.attributes.gSensor = `[${samples.join(',')}]`;
    out.messages.push(m);
  },
  [MSG.JOINTECH]: jointech,
  [MSG.JOINTECH_BLIND]: jointech,
  [MSG.TEXT_REPORT]: (c, r) => {
    generalResponse(c);
    r.u8(); // encoding
    textResult(c.conn, c.out, gbk(r.slice(r.remaining)));
  },
};

function handle(c: Ctx, r: Reader): void {
  const handler = HANDLERS[c.header.msgId];
  if (handler) {
    handler(c, r);
    return;
  }
  const { out, conn, header: h } = c;
  generalResponse(c, RESULT_UNSUPPORTED);
  reportError(
    out,
    conn,
    'unknown-type',
    `JT/T 808 message 0x${hexWord(h.msgId)} not decoded (answered "unsupported")`,
    c.frame,
  );
}

/** A text answer: a `result` record, and the answer to the command with that serial (or the oldest waiting). */
function textResult(conn: Connection<Jt808State>, out: DecodeOutput, text: string, serial?: number): void {
  const m = newMessage(conn, 'result');
  if (serial !== undefined) m.attributes.answerSerial = serial;
  m.attributes.result = text;
  out.messages.push(m);
  out.answers.push(dataAnswer(conn.state, serial, text));
}

function authCode(id: Buffer): string {
  return isBcd(id, 0, id.length) ? id.toString('hex') : decodeTerminalId(id);
}

/** 0x0100: province, city, maker, model, terminal ID, plate colour and plate (2011, 2013 and 2019 sizes). */
function decodeRegistration(r: Reader, m: TrackerMessage, h: Header): void {
  const a = m.attributes;
  const v2019 = h.version !== undefined;
  // 2011 differs from 2013 only by its 8-byte model: 25 fixed bytes before the plate instead of 37
  const v2011 = !v2019 && r.remaining < 37;
  a.province = r.u16();
  a.city = r.u16();
  a.manufacturer = text(r.slice(v2019 ? 11 : 5));
  a.terminalModel = text(r.slice(v2019 ? 30 : v2011 ? 8 : 20));
  a.terminalId = text(r.slice(v2019 ? 30 : 7));
  if (r.remaining > 0) a.plateColor = r.u8();
  if (r.remaining > 0) a.plate = trimControl(gbk(r.slice(r.remaining)));
}

/**
 * 0x0104: parameter items `{DWORD id, BYTE length, value}`, by hexadecimal ID. Items that overrun the body are
 * reported, and what precedes them kept: never keys made of misaligned bytes.
 */
function decodeParameters(c: Ctx, r: Reader): Record<string, number | string> {
  const params: Record<string, number | string> = {};
  const count = r.remaining > 0 ? r.u8() : 0;
  for (let i = 0; i < count; i++) {
    if (r.remaining < 5 || r.remaining < 5 + r.buf[r.pos + 4]) {
      const what = `JT/T 808 0x0104: parameter ${i + 1} of ${count} overruns the body (${r.remaining} bytes left)`;
      reportError(c.out, c.conn, 'malformed', what, c.frame);
      break;
    }
    const id = r.u32();
    const length = r.u8();
    const v = r.slice(length);
    const key = `0x${hexWord(id)}`;
    if (length === 1) params[key] = v[0];
    else if (length === 2) params[key] = v.readUInt16BE(0);
    else if (length === 4) params[key] = v.readUInt32BE(0);
    else params[key] = gbk(v).replace(/\0+$/, '');
  }
  return params;
}

/** 0x0704 (count, type, {WORD length, location}) and 0x0210 ({BYTE length, location}). */
function decodeBatch(c: Ctx, r: Reader, standard: boolean): void {
  let archive = false;
  if (standard) {
    r.u16(); // count
    archive = r.u8() === 1; // 1 = blind-area re-upload
  }
  while (r.remaining > 2) {
    const length = standard ? r.u16() : r.u8();
    if (length > r.remaining) {
      reportError(c.out, c.conn, 'malformed', `JT/T 808 batch item of ${length} bytes runs past the body`, c.frame);
      return;
    }
    const start = r.pos;
    const item = new Reader(r.buf, start, start + length, start + length);
    const m = newMessage(c.conn, 'position');
    readWithin(
      c.out,
      c.conn,
      c.frame,
      () => `JT/T 808 batch item of ${length} bytes`,
      () => {
        readLocation(item, start + length, m, c);
        if (archive) m.attributes.archive = true;
        c.out.messages.push(m);
      },
    );
    r.pos = start + length;
  }
}

/** 0x0801: media ID, type, format, event, channel, the 0x0200 basic block, then the file itself. */
function decodeMedia(c: Ctx, r: Reader): void {
  const m = newMessage(c.conn, 'media');
  const media = { id: r.u32(), type: r.u8(), format: r.u8(), event: r.u8(), channel: r.u8() };
  if (r.remaining >= BASIC_BLOCK_LENGTH) {
    const block = new Reader(r.buf, r.pos, r.pos + BASIC_BLOCK_LENGTH, r.pos + BASIC_BLOCK_LENGTH);
    readLocation(block, r.pos + BASIC_BLOCK_LENGTH, m, c);
    r.skip(BASIC_BLOCK_LENGTH);
  }
  m.attributes.mediaEvent = media;
  m.attributes.mediaType = ['image', 'audio', 'video'][media.type] ?? String(media.type);
  m.attributes.mediaFormat = ['jpeg', 'tif', 'mp3', 'wav', 'wmv'][media.format] ?? String(media.format);
  m.attributes.media = Buffer.from(r.slice(r.remaining)); // a copy: the frame buffer is reused
  c.out.messages.push(m);
  // 0x8800: media ID, no packages to resend
  const body = Buffer.alloc(5);
  body.writeUInt32BE(media.id, 0);
  reply(c, PLATFORM.MEDIA_RESPONSE, body);
}

/** 0x5501/0x5502 (Jointech): JT600 location block, network, battery, product status and alarms, items. */
function decodeJointech(c: Ctx, r: Reader): TrackerMessage {
  const m = newMessage(c.conn, 'position');
  const a = m.attributes;
  const fix = decodeJointechLocation(r.slice(LOCATION_BLOCK_LENGTH), 0);
  setDeviceTime(m, fix.time);
  m.lat = fix.lat;
  m.lon = fix.lon;
  m.speed = knotsToKmh(fix.speedKnots);
  m.course = fix.course;
  m.valid = c.header.msgId !== MSG.JOINTECH_BLIND;
  a.rssi = r.u8();
  m.satellites = r.u8();
  a.odometer = r.u32() * 1000;
  const battery = r.u8();
  if (battery <= 100) a.batteryLevel = battery;
  else if (battery === 0xaa || battery === 0xab) a.charge = true;
  const cid = r.u32();
  const lac = r.u16();
  if (cid > 0 && lac > 0) m.network = { cellTowers: [{ mcc: 0, mnc: 0, lac, cid }] };
  const product = r.u8();
  const status = r.u16();
  const alarm = r.u16();
  const alarms: [number, AlarmName][] =
    product === 1 || product === 2
      ? [[0, 'lowPower']]
      : product === 3
        ? [
            [0, 'overspeed'],
            [1, 'lowPower'],
            [2, 'vibration'],
            [3, 'lowBattery'],
            [5, 'geofenceEnter'],
            [6, 'geofenceExit'],
          ]
        : [];
  for (const [bit, name] of alarms) if (alarm & (1 << bit)) m.alarms.push(name);
  if (product === 3) a.blocked = (status & 0x20) !== 0;
  a.status = status;
  while (r.remaining > 2) {
    const id = r.u8();
    const length = r.u8();
    const end = r.pos + length;
    const item = new Reader(r.buf, r.pos, Math.min(end, r.stop), Math.min(end, r.stop));
    try {
      if (id === 0x02) m.altitude = item.i16();
      else if (id === 0x10) a.wakeSource = item.u8();
      else if (id === 0x0b) {
        a.lockCommand = item.u8();
        if (length >= 5 && length <= 6) a.lockCard = item.u32();
        else if (length >= 7) a.lockPassword = item.ascii(6);
        if (length % 2 === 0) a.unlockResult = item.u8();
      } else if (id === 0x0c) {
        const axis = () => {
          const v = item.u16();
          return v > 0x8000 ? v - 0x10000 : v;
        };
        a.tilt = `[${axis()},${axis()},${axis()}]`;
      } else if (id === 0xfc) a.geofence = item.u8();
    } catch (err) {
      if (!(err instanceof FrameTooShort)) throw err;
      reportError(c.out, c.conn, 'malformed', `JT/T 808 0x5501 item 0x${id.toString(16)} too short`, c.frame);
    }
    r.pos = Math.min(end, r.stop);
  }
  return m;
}

/** ASCII e-lock frames `(...)`: `(…,BASE,2,TIME)` asks for the time, anything else is a command result. */
function decodeText(frame: Buffer, conn: Connection<Jt808State>, out: DecodeOutput): void {
  const sentence = frame.toString('latin1');
  if (sentence.includes('BASE,2')) {
    const d = new Date(conn.now);
    const p = (n: number) => String(n).padStart(2, '0');
    const now = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
    out.replies.push(Buffer.from(sentence.replace('TIME', now), 'latin1'));
    return;
  }
  if (conn.deviceId === undefined) {
    reportError(out, conn, 'not-identified', 'JT/T 808 text frame before the terminal identified itself', frame);
    return;
  }
  textResult(conn, out, sentence);
}

/**
 * Sub-packages: acknowledged one by one, reassembled by (message ID, total), then decoded as one. A package the
 * limits refuse is answered with result 1 (failure), so the terminal stops sending the rest, and reported.
 */
function subpackage(c: Ctx, body: Buffer): void {
  const { header: h, conn, out } = c;
  const state = conn.state;
  const refuse = (message: string) => {
    generalResponse(c, RESULT_FAILURE);
    reportError(out, conn, 'oversize', message, c.frame);
  };
  if (h.packageIndex < 1 || h.packageIndex > h.packageTotal) {
    generalResponse(c);
    reportError(out, conn, 'malformed', `JT/T 808 package ${h.packageIndex} of ${h.packageTotal}`, c.frame);
    return;
  }
  if (h.packageTotal > REASSEMBLY.maxPackages) {
    refuse(
      `JT/T 808 message 0x${hexWord(h.msgId)} in ${h.packageTotal} packages (more than ${REASSEMBLY.maxPackages}): dropped`,
    );
    return;
  }
  const key = `${h.msgId}:${h.packageTotal}`;
  let entry = state.reassembly.get(key);
  if (!entry) {
    if (state.reassembly.size >= REASSEMBLY.maxMessages) {
      refuse(`JT/T 808: more than ${REASSEMBLY.maxMessages} sub-packaged messages at once: dropped`);
      return;
    }
    entry = {
      msgId: h.msgId,
      total: h.packageTotal,
      parts: new Map(),
      bytes: 0,
      firstSerial: (h.serial - (h.packageIndex - 1)) & 0xffff,
      version: h.version,
      idBytes: Buffer.from(h.idBytes),
      lastActivity: conn.now,
      requests: 0,
    };
    state.reassembly.set(key, entry);
  }
  // A package held already (sent again) changes nothing, not even the time: only new packages keep a message alive.
  if (!entry.parts.has(h.packageIndex)) {
    const cost = body.length + REASSEMBLY.packageCost;
    if (state.reassemblyBytes + cost > REASSEMBLY.maxBytes) {
      dropReassembly(state, key);
      refuse(`JT/T 808 sub-packaged messages over ${REASSEMBLY.maxBytes} bytes on one connection: dropped`);
      return;
    }
    entry.parts.set(h.packageIndex, Buffer.from(body));
    entry.bytes += cost;
    state.reassemblyBytes += cost;
    entry.lastActivity = conn.now;
    entry.requests = 0;
  }
  generalResponse(c);
  if (entry.parts.size < entry.total) return;
  const pieces: Buffer[] = [];
  for (let i = 1; i <= entry.total; i++) pieces.push(entry.parts.get(i)!);
  const whole = Buffer.concat(pieces);
  dropReassembly(state, key);
  // Decode the whole message as if it came in one frame; its own reply (0x8800...) goes out now, while
  // a 0x8001 was already sent for each package.
  const header: Header = { ...h, packageTotal: 0, packageIndex: 0, bodyStart: 0, bodyLength: whole.length };
  dispatch({ ...c, header, body: whole, acked: true }, new Reader(whole, 0, whole.length, whole.length));
}

function dropReassembly(state: Jt808State, key: string): void {
  const e = state.reassembly.get(key);
  if (!e) return;
  state.reassemblyBytes -= e.bytes;
  state.reassembly.delete(key);
}

/**
 * Timeouts: ask for missing packages with 0x8003 (the first 255 missing; the next request asks for the rest), a
 * few times without a new package in between, then give up and free the memory. The request is counted before
 * it is built, so a message always expires.
 */
export function pollJt808(conn: Connection<Jt808State>, out: DecodeOutput): void {
  const state = conn.state;
  const timeout =
    conn.options.reassemblyTimeout !== undefined ? conn.options.reassemblyTimeout * 1000 : REASSEMBLY.timeoutMs;
  for (const [key, e] of state.reassembly) {
    if (conn.now - e.lastActivity < timeout) continue;
    if (e.requests >= REASSEMBLY.maxRequests) {
      dropReassembly(state, key);
      reportError(
        out,
        conn,
        'malformed',
        `JT/T 808 message 0x${hexWord(e.msgId)}: ${e.total - e.parts.size} of ${e.total} packages never came: dropped`,
      );
      continue;
    }
    e.requests++;
    e.lastActivity = conn.now;
    out.replies.push(resendRequest(state, e));
  }
}

/** 0x8003: serial of the first package, count (one byte; 2019: two), missing package indexes. */
function resendRequest(state: Jt808State, e: Reassembly): Buffer {
  const missing: number[] = [];
  for (let i = 1; i <= e.total && missing.length < REASSEMBLY.maxResendIds; i++) if (!e.parts.has(i)) missing.push(i);
  const wide = e.version !== undefined;
  const at = wide ? 4 : 3;
  const body = Buffer.alloc(at + 2 * missing.length);
  body.writeUInt16BE(e.firstSerial, 0);
  if (wide) body.writeUInt16BE(missing.length, 2);
  else body[2] = missing.length;
  for (let i = 0; i < missing.length; i++) body.writeUInt16BE(missing[i], at + 2 * i);
  return buildMessage(PLATFORM.RESEND_REQUEST, body, e.idBytes, e.version, nextSerial(state), {
    delimiter: state.delimiter,
  });
}

function text(b: Buffer): string {
  return trimControl(gbk(b).replace(/\0+/g, ''));
}
