/**
 * GT06 message decoding (docs/protocols/gt06.md): one complete frame in, TrackerMessages and replies out.
 * Layout facts come from the public protocol documents and Traccar's decoder; the code is our own.
 * The dispatch follows the order in which type numbers are claimed, since several are reused by other
 * firmware families (variants.ts).
 */
import { setDeviceTime } from '../common/record';
import { addCell, addWifi, readMac } from '../common/network';
import { hexByte } from '../common/hex';
import { addAlarm, newMessage, reportError, type Connection, type DecodeOutput } from '../codec';
import { bcdByte } from '../common/bcd';
import { crc16x25 } from '../common/checksum';
import { utf16be } from '../common/text';
import { deviceTime, isoTime } from '../common/time';
import type { CellTower, TrackerMessage, WifiAccessPoint } from '../../types';
import type { RecordType } from '../../vocabulary';
import { alarmName, cameraEventAlarm, modularEventAlarm, terminalInfoAlarm, type AlarmModel } from './alarms';
import { FrameTooShort, Reader } from '../common/reader';
import { gt06Answer } from './commands';
import { ackFrame, addressReplyFrame, gt06Frame, timeReplyFrame, wifiReplyFrame } from './replies';
import { trustworthyFrame } from './frame';
import { frameVariant, NT_MODELS, Variant, VL_MODELS } from './variants';

/** X1 / WD-209 photo being received in chunks. */
interface Media {
  id: number;
  data: Buffer;
  received: number;
}

export interface Gt06State {
  /** Device clock offset from UTC in minutes, announced at login. */
  loginTimezone: number | undefined;
  /** The model setting's meaning for this connection. */
  profile: ModelProfile;
  media?: Media;
}

/** What the device model setting means for decoding (worked out when the connection opens). */
export interface ModelProfile {
  /** The setting as given, and upper case. */
  setting: string | undefined;
  model: string;
  /** NT20 / XT40 family layouts. */
  nt: boolean;
  alarms: AlarmModel;
}

export function modelProfile(setting: string | undefined): ModelProfile {
  const model = (setting ?? '').toUpperCase();
  return {
    setting,
    model,
    nt: NT_MODELS.has(model),
    alarms: { lw: model.startsWith('LW'), seeworld: model === 'SEEWORLD', vl: VL_MODELS.has(model) },
  };
}

/** Largest photo accepted from one device (memory bound). */
const MAX_MEDIA_BYTES = 1024 * 1024;

// Protocol numbers (the same number can mean different things by header or length: see the dispatch).
const LOGIN = 0x01;
const GPS = 0x10;
const GPS_LBS_6 = 0x11;
const GPS_LBS_1 = 0x12;
const STATUS = 0x13;
const STRING = 0x15;
const GPS_LBS_STATUS_1 = 0x16;
const WIFI = 0x17; // also GPS_LBS_RFID with the RFID variant
const LBS_EXTEND = 0x18;
const LBS_STATUS = 0x19;
const GPS_PHONE = 0x1a;
const GPS_LBS_EXTEND = 0x1e;
const STRING_INFO = 0x21;
const GPS_LBS_2 = 0x22;
const HEARTBEAT = 0x23;
const LBS_MULTIPLE_3 = 0x24;
const GPS_LBS_DRIVER = 0x25;
const GPS_LBS_STATUS_2 = 0x26;
const GPS_LBS_STATUS_3 = 0x27;
const LBS_MULTIPLE_1 = 0x28;
const ADDRESS_REQUEST = 0x2a;
const LBS_WIFI = 0x2c;
const GPS_LBS_4 = 0x2d;
const LBS_MULTIPLE_2 = 0x2e;
const GPS_LBS_5 = 0x31;
const GPS_LBS_STATUS_4 = 0x32; // AZ735 GPS when extended
const WIFI_5 = 0x33; // AZ735 alarm when extended
const X1_GPS = 0x34; // LBS_3 with the SL4X variant
const X1_PHOTO_INFO = 0x35;
const STATUS_2 = 0x36; // X1 photo data when extended, location + RFID with the TRX16I variant
const GPS_LBS_3 = 0x37;
const GPS_LBS_8 = 0x38;
const ALARM_MODULE = 0x39;
const BMS = 0x40;
const MULTIMEDIA = 0x41;
const IBUTTON = 0x61;
const WIFI_2 = 0x69;
const GPS_MODULAR = 0x70;
const TIME_REQUEST = 0x8a;
const OBD = 0x8c;
const INFO = 0x94;
const ALARM = 0x95;
const SERIAL = 0x9b;
const GPS_LBS_7 = 0xa0;
const LBS_2 = 0xa1;
const WIFI_3 = 0xa2; // GPS_LBS_STATUS_5 with the LW4G variant
const FENCE_SINGLE = 0xa3; // STATUS_3 with the SEEWORLD variant
const FENCE_MULTI = 0xa4;
const LBS_ALARM = 0xa5;
const LBS_ADDRESS = 0xa7;
const WIFI_ALARM = 0xa9;
const BLUETOOTH_CLOCK = 0xb2;
const DEVICE_STATUS = 0xf1;
const PERIPHERAL = 0xf2;
const WIFI_4 = 0xf3;

/** Everything one frame's decoding needs to know besides its bytes. */
interface Ctx {
  frame: Buffer;
  conn: Connection<Gt06State>;
  out: DecodeOutput;
  extended: boolean;
  type: number;
  /** The declared length field. */
  length: number;
  serial: number;
  variant: Variant;
  model: string;
  nt: boolean;
  alarms: AlarmModel;
  /** Device clock offset in minutes. */
  tz: number;
}

export function decodeGt06Frame(frame: Buffer, conn: Connection<Gt06State>, out: DecodeOutput): void {
  const extended = frame[0] === 0x79;
  const head = extended ? 4 : 3;
  if (frame.length < head + 3) {
    reportError(out, conn, 'malformed', 'GT06 frame too short', frame);
    return;
  }
  const type = frame[head];
  const variant = frameVariant(frame);
  const noTrailer = isWifiLayout(type, variant, extended);
  const hasTrailer = frame.length >= head + 1 + 6;
  // Wi-Fi types carry no serial or CRC (and misuse the length byte): nothing to check.
  if (!noTrailer && hasTrailer && !checkCrc(frame, conn, out)) return;
  if (type === LOGIN && conn.deviceId === undefined && !trustworthyFrame(frame)) {
    // A connection's first login must be intact: a damaged one could name any device.
    reportError(
      out,
      conn,
      'malformed',
      'GT06 login with a wrong CRC and length on a new connection: not acknowledged',
      frame,
    );
    return;
  }

  let profile = conn.state.profile;
  if (profile.setting !== conn.options.model) {
    profile = modelProfile(conn.options.model); // the options of a connection do not change; a test's may
    conn.state.profile = profile;
  }
  const ctx: Ctx = {
    frame,
    conn,
    out,
    extended,
    type,
    length: extended ? frame[2] * 256 + frame[3] : frame[2],
    serial: hasTrailer ? frame[frame.length - 6] * 256 + frame[frame.length - 5] : 0,
    variant,
    model: profile.model,
    nt: profile.nt,
    alarms: profile.alarms,
    tz: conn.options.timezoneOffset ?? conn.state.loginTimezone ?? 0,
  };
  const r = new Reader(frame, head + 1, Math.max(head + 1, frame.length - (noTrailer ? 2 : 6)));
  if (type !== LOGIN && conn.deviceId === undefined) {
    reportError(out, conn, 'not-identified', `GT06 type 0x${hexByte(type)} before login: dropped`, frame);
    return;
  }
  // the hot path: no closures per frame (readWithin's form), the same handling of a frame shorter than its content
  try {
    if (type === LOGIN) decodeLogin(ctx, r);
    else dispatch(ctx, r);
  } catch (err) {
    if (!(err instanceof FrameTooShort)) throw err;
    reportError(
      out,
      conn,
      'malformed',
      `GT06 type 0x${hexByte(type)} is shorter than its content (${err.message})`,
      frame,
    );
  }
}

function checkCrc(frame: Buffer, conn: Connection<Gt06State>, out: DecodeOutput): boolean {
  const crcAt = frame.length - 4;
  if (crc16x25(frame, 2, crcAt) === frame.readUInt16BE(crcAt)) return true;
  reportError(out, conn, 'checksum', 'GT06 CRC mismatch', frame);
  return !conn.options.strictChecksum;
}

function decodeLogin(c: Ctx, r: Reader): void {
  if (r.remaining < 8) {
    reportError(c.out, c.conn, 'malformed', 'GT06 login without IMEI', c.frame);
    return;
  }
  // 8 BCD bytes, 16 digits: the IMEI is the last 15
  const imei = r.hex(8).slice(1);
  const msg = newMessage(c.conn, 'login');
  if (r.remaining >= 2) msg.attributes.deviceType = r.u16();
  c.conn.state.loginTimezone = undefined;
  if (c.length - 5 > 10 && r.remaining >= 2) {
    // value >> 4 is hhmm in decimal; bit 3 set = west of UTC
    const bits = r.u16();
    const hhmm = bits >> 4;
    const minutes = Math.floor(hhmm / 100) * 60 + (hhmm % 100);
    c.conn.state.loginTimezone = bits & 0x08 ? -minutes : minutes;
    msg.attributes.timezoneOffset = c.conn.state.loginTimezone;
  }
  c.conn.deviceId = imei;
  msg.deviceId = imei;
  c.out.messages.push(msg);
  c.out.replies.push(ackFrame(LOGIN, c.serial));
}

/** What a generic type carries, in this order: a GPS block, a cell (LBS) block, a status block. */
const GPS_BLOCK = 1;
const LBS_BLOCK = 2;
const STATUS_BLOCK = 4;

/** The layout of each generic GPS / LBS / status type (variants adjust a few: layoutOf). */
const LAYOUTS: Record<number, number> = {
  [GPS]: GPS_BLOCK,
  [GPS_PHONE]: GPS_BLOCK,
  [GPS_LBS_EXTEND]: GPS_BLOCK,
  [GPS_LBS_1]: GPS_BLOCK | LBS_BLOCK,
  [GPS_LBS_2]: GPS_BLOCK | LBS_BLOCK,
  [GPS_LBS_DRIVER]: GPS_BLOCK | LBS_BLOCK,
  [GPS_LBS_3]: GPS_BLOCK | LBS_BLOCK,
  [GPS_LBS_4]: GPS_BLOCK | LBS_BLOCK,
  [GPS_LBS_5]: GPS_BLOCK | LBS_BLOCK,
  [GPS_LBS_6]: GPS_BLOCK | LBS_BLOCK,
  [GPS_LBS_7]: GPS_BLOCK | LBS_BLOCK,
  [WIFI]: GPS_BLOCK | LBS_BLOCK, // GPS_LBS_RFID when the Wi-Fi layout does not apply
  [FENCE_SINGLE]: GPS_BLOCK | LBS_BLOCK, // STATUS_3 (status only) with the SeeWorld variant
  [GPS_LBS_STATUS_1]: GPS_BLOCK | LBS_BLOCK | STATUS_BLOCK,
  [GPS_LBS_STATUS_2]: GPS_BLOCK | LBS_BLOCK | STATUS_BLOCK,
  [GPS_LBS_STATUS_3]: GPS_BLOCK | LBS_BLOCK | STATUS_BLOCK,
  [GPS_LBS_STATUS_4]: GPS_BLOCK | LBS_BLOCK | STATUS_BLOCK,
  [WIFI_3]: GPS_BLOCK | LBS_BLOCK | STATUS_BLOCK, // GPS_LBS_STATUS_5 with the LW4G variant
  [FENCE_MULTI]: GPS_BLOCK | LBS_BLOCK | STATUS_BLOCK,
  [ALARM_MODULE]: GPS_BLOCK | LBS_BLOCK | STATUS_BLOCK,
  [LBS_STATUS]: LBS_BLOCK | STATUS_BLOCK,
  [LBS_ALARM]: LBS_BLOCK | STATUS_BLOCK,
  [LBS_ADDRESS]: LBS_BLOCK,
  [STATUS]: STATUS_BLOCK,
  [STATUS_2]: STATUS_BLOCK,
};

/** Types whose LBS block, although followed by a status block, has no length byte. */
const LBS_WITHOUT_LENGTH = new Set([LBS_STATUS, LBS_ALARM, ALARM_MODULE, WIFI_3]);

function layoutOf(c: Ctx): number {
  if (c.type === FENCE_SINGLE && c.variant === Variant.Seeworld) return STATUS_BLOCK;
  const layout = LAYOUTS[c.type] ?? 0;
  // NT20/XT40-family firmware adds a status block to these
  if (c.nt && (c.type === GPS_LBS_2 || c.type === GPS_LBS_DRIVER)) return layout | STATUS_BLOCK;
  return layout;
}

/** Wi-Fi types carry no serial or CRC (and misuse the length byte). */
function isWifiLayout(type: number, variant: Variant, extended: boolean): boolean {
  return (type === WIFI && variant !== Variant.RFID && !extended) || type === WIFI_2 || type === WIFI_4;
}

function wifiLayout(c: Ctx): boolean {
  return isWifiLayout(c.type, c.variant, c.extended);
}

/** What a handled frame gets: a record (with this type unless it has a position) and/or an acknowledgement. */
interface Handled {
  record?: RecordType;
  /** The standard acknowledgement, or its 7979 form. */
  ack?: 'short' | 'long';
}

type Handler = (c: Ctx, r: Reader, msg: TrackerMessage) => Handled;

interface Rule {
  types: readonly number[];
  /** Firmware variants reuse type numbers: the rule holds only when this says so. */
  when?: (c: Ctx, r: Reader) => boolean;
  decode: Handler;
}

const NONE: Handled = {};

/** Types claimed before the generic GPS/LBS/status layouts, in claim order. */
const EARLY_RULES: Rule[] = [
  {
    types: [HEARTBEAT],
    decode: (_c, r, msg) => {
      const status = r.u8();
      msg.attributes.armed = (status & 1) !== 0;
      msg.ignition = (status & 2) !== 0;
      msg.attributes.charge = (status & 4) !== 0;
      if (r.remaining >= 2) msg.attributes.battery = r.u16() / 100;
      if (r.remaining >= 1) msg.attributes.rssi = r.u8();
      return { record: 'heartbeat', ack: 'short' };
    },
  },
  {
    types: [ADDRESS_REQUEST],
    decode: (c) => {
      c.out.replies.push(addressReplyFrame(0));
      return NONE;
    },
  },
  {
    types: [TIME_REQUEST],
    decode: (c) => {
      c.out.replies.push(timeReplyFrame(c.conn.now));
      return NONE;
    },
  },
  {
    types: [X1_GPS],
    when: (c) => c.variant !== Variant.SL4X,
    decode: (c, r, msg) => {
      decodeX1Gps(c, r, msg);
      return { record: 'status' }; // no acknowledgement for X1 positions
    },
  },
  {
    types: [X1_PHOTO_INFO],
    decode: (c, r) => {
      r.skip(6 + 1 + 4 + 4 + 1 + 1 + 1); // time, fix, lat, lon, camera, source, format
      startMedia(c, r.i32(), r.i32());
      return NONE;
    },
  },
  {
    types: [WIFI, WIFI_2, WIFI_4],
    when: wifiLayout,
    decode: (c, r, msg) => {
      decodeWifi(c, r, msg);
      return { record: 'network' };
    },
  },
  {
    types: [INFO],
    when: (c) => !c.extended,
    decode: (_c, r, msg) => {
      msg.attributes.power = r.i16() / 100;
      return { record: 'status' };
    },
  },
  {
    types: [LBS_MULTIPLE_3],
    when: (c) => c.variant === Variant.SR411Mini,
    decode: (c, r, msg) => {
      decodeGps(c, r, msg);
      decodeLbs(c, r, msg, false);
      msg.ignition = r.u8() > 0;
      msg.attributes.power = r.u16() / 100;
      msg.attributes.battery = r.u16() / 100;
      return { record: 'status' };
    },
  },
  {
    // several cells (and Wi-Fi access points) with a timing advance
    types: [
      LBS_MULTIPLE_1,
      LBS_MULTIPLE_2,
      LBS_MULTIPLE_3,
      LBS_EXTEND,
      LBS_WIFI,
      LBS_2,
      X1_GPS,
      WIFI_3,
      WIFI_5,
      WIFI_ALARM,
    ],
    when: (c) => !(c.type === WIFI_3 && c.variant === Variant.LW4G) && !(c.type === WIFI_5 && c.extended),
    decode: (c, r, msg) => {
      decodeMultiCell(c, r, msg);
      return { record: msg.alarms.length ? 'alarm' : 'network', ack: 'short' };
    },
  },
  {
    types: [BLUETOOTH_CLOCK],
    decode: (c, r, msg) => {
      const a = msg.attributes;
      setDeviceTime(msg, decodeDate(c, r));
      a.rssi = r.i8();
      a.tagMac = r.hex(6);
      a.tagUuid = r.hex(16);
      a.tagMajor = r.u16();
      a.tagMinor = r.u16();
      a.tagBattery = r.u16() / 100;
      a.clock = (r.u8() >> 2) & 0x0f;
      return { record: 'status', ack: 'short' };
    },
  },
  {
    types: [STRING],
    decode: (c, r, msg) => {
      decodeString(c, r, msg);
      return { record: 'result', ack: 'short' };
    },
  },
  {
    types: [BMS],
    decode: (_c, r, msg) => {
      decodeBms(r, msg);
      return { record: 'status', ack: 'short' };
    },
  },
  {
    types: [STATUS],
    when: (_c, r) => r.remaining === 16,
    decode: (_c, r, msg) => {
      r.skip(1 + 2 + 1 + 1); // information, satellites, alarm, language
      msg.attributes.batteryLevel = r.u8();
      r.skip(1 + 2 + 1 + 2 + 2); // working mode, voltage, reserved, working times, working time
      const value = r.u16();
      const temperature = (value & 0x7fff) / 10;
      msg.attributes.temp1 = value & 0x8000 ? temperature : -temperature;
      return { record: 'heartbeat', ack: 'short' };
    },
  },
  {
    types: [IBUTTON],
    decode: (c, r, msg) => {
      r.skip(8); // IMEI
      decodeGps(c, r, msg);
      decodeLbs(c, r, msg, false);
      msg.attributes.driverUniqueId = String(r.u32() * 65536 + r.u16());
      return { record: 'status', ack: 'short' };
    },
  },
  {
    types: [STATUS_2],
    when: (c) => c.variant === Variant.TRX16I,
    decode: (c, r, msg) => {
      const a = msg.attributes;
      decodeGps(c, r, msg);
      decodeLbs(c, r, msg, false);
      msg.ignition = r.u8() > 0;
      a.uploadMode = r.u8();
      a.archive = r.u8() > 0;
      a.odometer = r.u32();
      a.power = r.u16() / 100;
      a.battery = r.u8() / 10;
      a.hours = r.u24() * 60000;
      const rfid = r.hex(8);
      if (!/^0+$/.test(rfid)) a.driverUniqueId = rfid;
      return { record: 'status', ack: 'short' };
    },
  },
];

/** The generic GPS / LBS / status types, by their layout (LAYOUTS). */
const GENERIC_RULE: Rule = {
  types: [],
  when: (c) => !(c.extended && (c.type === GPS_LBS_STATUS_4 || c.type === STATUS_2)),
  decode: (c, r, msg) => {
    if (c.type === LBS_STATUS && c.variant === Variant.Space10X) return NONE; // multi-LBS layout: ignored, no reply
    return { record: decodeGeneric(c, r, msg), ack: 'short' };
  },
};

/** Types claimed after the generic layouts. */
const LATE_RULES: Rule[] = [
  {
    types: [ALARM],
    decode: (c, r, msg) => {
      decodeCameraAlarm(c, r, msg);
      return { record: 'alarm', ack: 'short' };
    },
  },
  {
    types: [STRING_INFO],
    decode: (c, r, msg) => {
      decodeStringInfo(c, r, msg);
      return { record: 'result' }; // no acknowledgement
    },
  },
  { types: [INFO], decode: (c, r, msg) => (decodeInfo(c, r, msg) ? { record: 'status' } : NONE) },
  {
    types: [STATUS_2],
    decode: (c, r) => {
      decodeX1PhotoData(c, r);
      return NONE;
    },
  },
  {
    types: [GPS_LBS_STATUS_4, WIFI_5],
    decode: (c, r, msg) => {
      decodeAz735(c, r, msg);
      return { record: msg.alarms.length ? 'alarm' : 'status', ack: 'long' };
    },
  },
  {
    types: [OBD],
    decode: (c, r, msg) => {
      decodeObd(c, r, msg);
      return { record: 'status' };
    },
  },
  {
    types: [GPS_MODULAR],
    decode: (_c, r, msg) => {
      decodeModular(r, msg);
      return { record: msg.alarms.length ? 'alarm' : 'status', ack: 'short' };
    },
  },
  {
    types: [MULTIMEDIA],
    decode: (c, r, msg) => {
      decodeMultimedia(c, r, msg);
      return { ack: 'long' };
    },
  },
  {
    types: [SERIAL],
    decode: (_c, r, msg) => {
      r.u8(); // external device type
      const data = r.slice(r.remaining);
      msg.attributes.result = printable(data) ? data.toString('latin1').trim() : data.toString('hex');
      return { record: 'result' };
    },
  },
  {
    types: [PERIPHERAL, DEVICE_STATUS],
    decode: (c, r, msg) => {
      decodeDeviceStatus(c, r, msg);
      return { record: 'status', ack: 'short' };
    },
  },
  {
    types: [GPS_LBS_8],
    decode: (c, r, msg) => {
      decodeGps(c, r, msg);
      msg.attributes.uploadMode = r.u8();
      if (r.u8() > 0) msg.attributes.archive = true;
      decodeLbs(c, r, msg, false);
      return { record: 'status' }; // no acknowledgement
    },
  },
];

/** The rules of each type number, in claim order (several firmware families share numbers). */
const RULES_BY_TYPE = new Map<number, Rule[]>();
for (const rule of [
  ...EARLY_RULES,
  ...Object.keys(LAYOUTS)
    .map(Number)
    .map((t) => ({ ...GENERIC_RULE, types: [t] })),
  ...LATE_RULES,
])
  for (const t of rule.types) RULES_BY_TYPE.set(t, [...(RULES_BY_TYPE.get(t) ?? []), rule]);

function dispatch(c: Ctx, r: Reader): void {
  const { type, out } = c;
  const rule = RULES_BY_TYPE.get(type)?.find((rule) => (rule.when ? rule.when(c, r) : true));
  if (!rule) {
    reportError(
      out,
      c.conn,
      'unknown-type',
      `GT06 type 0x${hexByte(type)} (${c.frame.length} bytes) not decoded`,
      c.frame,
    );
    if (!c.extended && (type < 0x80 || type > 0x82) && c.frame.length >= 10) out.replies.push(ackFrame(type, c.serial));
    return;
  }
  const msg = newMessage(c.conn, 'status');
  const done = rule.decode(c, r, msg);
  if (done.record) emit(c, msg, done.record);
  if (done.ack) out.replies.push(ackFrame(type, c.serial, done.ack === 'long'));
}

/** Records the message; `type` is `position` when it has a location, else `fallback`. */
function emit(c: Ctx, msg: TrackerMessage, fallback: RecordType): void {
  msg.type = msg.lat !== undefined ? 'position' : fallback;
  c.out.messages.push(msg);
}

/** Binary date YY MM DD hh mm ss in the device's clock. */
function decodeDate(c: Ctx, r: Reader): number {
  const y = r.u8();
  const mo = r.u8();
  const d = r.u8();
  const h = r.u8();
  const mi = r.u8();
  const s = r.u8();
  return deviceTime(2000 + y, mo, d, h, mi, s, c.tz);
}

/**
 * Date + GPS block: satellites nibble, latitude and longitude in 1/1,800,000 degree, speed (km/h) and the
 * course/status word. Returns false when a length-prefixed block says there is no fix.
 */
function decodeGps(
  c: Ctx,
  r: Reader,
  msg: TrackerMessage,
  hasLength = false,
  hasSatellites = true,
  hasSpeed = true,
  longSpeed = false,
  flagsFirst = false,
): boolean {
  setDeviceTime(msg, decodeDate(c, r));
  if (hasLength && r.u8() === 0) return false;
  if (hasSatellites) msg.satellites = r.u8() & 0x0f;
  let lat = r.u32() / 1800000;
  let lon = r.u32() / 1800000;
  let flags = flagsFirst ? r.u16() : 0;
  if (hasSpeed) msg.speed = longSpeed ? r.u16() : r.u8();
  if (!flagsFirst) flags = r.u16();
  msg.course = flags & 0x3ff;
  msg.valid = (flags & 0x1000) !== 0;
  if (!(flags & 0x400)) lat = -lat;
  if (flags & 0x800) lon = -lon;
  msg.lat = lat;
  msg.lon = lon;
  if (flags & 0x4000) msg.ignition = (flags & 0x8000) !== 0;
  return true;
}

/** One serving cell: MCC, MNC, LAC, CID, with widths by type and variant. Optional length byte first. */
function decodeLbs(c: Ctx, r: Reader, msg: TrackerMessage, hasLength: boolean): boolean {
  const { type, variant } = c;
  let length = 0;
  if (hasLength) {
    length = r.u8();
    if (length === 0) {
      // "no LBS": some firmware still sends a zeroed block, which is skipped
      const b = r.buf;
      let zeroed = true;
      for (let i = r.pos + 9; i < r.pos + 45 && i < b.length; i++) if (b[i] !== 0) zeroed = false;
      if (zeroed) r.skip(Math.min(b.length - r.pos, 45));
      return false;
    }
  }
  const cellType = type === GPS_LBS_8 || type === ALARM_MODULE ? r.u8() : 0;
  let mcc = r.u16();
  const mnc = mcc & 0x8000 || type === GPS_LBS_6 || variant === Variant.SL4X ? r.u16() : r.u8();
  mcc &= 0x7fff;
  const wide = cellType >= 3 || type === LBS_ALARM || type === GPS_LBS_7 || type === WIFI_3;
  const lac = wide ? r.i32() : r.u16();
  let cid: number;
  if (wide || variant === Variant.SL4X) cid = r.u64();
  else if (
    type === GPS_LBS_6 ||
    type === IBUTTON ||
    type === GPS_LBS_DRIVER ||
    variant === Variant.Seeworld ||
    (variant === Variant.TRX16I && type === STATUS_2)
  )
    cid = r.u32();
  else cid = r.u24();
  const cell: CellTower = { mcc, mnc, lac, cid };
  if (cellType >= 3) cell.rssi = r.u16();
  else if (type === GPS_LBS_8 || type === ALARM_MODULE) cell.rssi = r.u8();
  addCell(msg, cell);
  // What follows the cell within the declared length is skipped (counted from the standard 9 bytes, as
  // devices with wider fields still count them so)
  if (length > 9) r.skip(length - 9);
  return true;
}

/** The 5-byte status block starts with the terminal information byte. */
function decodeTerminalInfo(c: Ctx, r: Reader, msg: TrackerMessage): void {
  const info = r.u8();
  msg.terminalInfo = info;
  msg.ignition = (info & 0x02) !== 0;
  msg.attributes.charge = (info & 0x04) !== 0;
  msg.attributes.blocked = (info & 0x80) !== 0;
  addAlarm(msg, terminalInfoAlarm(info, c.variant));
}

/** GPS, LBS and status messages (0x10-0x27, 0x2D, 0x31, 0x32, 0x37, 0x39, 0xA0, 0xA2-0xA7, ...). */
function decodeGeneric(c: Ctx, r: Reader, msg: TrackerMessage): RecordType {
  const { type, variant, nt, alarms } = c;
  const a = msg.attributes;
  if (type === GPS_LBS_1 && c.model === 'QH302R') r.skip(8); // IMEI
  if ((type === GPS_LBS_2 || type === GPS_LBS_DRIVER) && nt) {
    r.u8(); // location source
    r.skip(8); // IMEI
    a.deviceTime = isoTime(decodeDate(c, r));
  }
  const layout = layoutOf(c);
  if (layout & GPS_BLOCK) decodeGps(c, r, msg);
  if (layout & LBS_BLOCK && r.remaining > 0) {
    const hasLength =
      (layout & STATUS_BLOCK) !== 0 &&
      !LBS_WITHOUT_LENGTH.has(type) &&
      !(type === GPS_LBS_STATUS_1 && variant === Variant.VXT01);
    decodeLbs(c, r, msg, hasLength);
  }
  if (layout & STATUS_BLOCK) {
    if (type === WIFI_3) r.u8(); // network indicator
    decodeTerminalInfo(c, r, msg);
    if (variant === Variant.OBD6) {
      const signal = r.u16();
      msg.satellites = ((signal >> 10) & 0x1f) + ((signal >> 5) & 0x1f);
      a.rssi = signal & 0x1f;
      addAlarm(msg, alarmName(r.u8(), alarms, variant));
      r.u8(); // language
      a.batteryLevel = r.u8();
      const mode = r.u8();
      a.power = r.u16() / 100;
      r.u8(); // reserved
      r.u16(); // working time
      if (mode === 4) a.temp1 = r.i16() / 10;
    } else if (variant === Variant.Seeworld && c.length === 0x18) {
      r.u16(); // extension bits
      r.u8(); // voltage level
      a.rssi = r.u8();
      a.power = r.u8();
      r.skip(3); // language, sound, light
      a.steps = r.u32();
      a.batteryLevel = r.u8();
      a.charge = r.u8() === 1;
      a.motion = r.u8() === 1;
    } else {
      if (type === WIFI_3 || (nt && (type === GPS_LBS_2 || type === GPS_LBS_DRIVER))) a.power = r.u16() / 100;
      if (type === STATUS && c.model === 'R11') {
        a.power = r.u16() / 100;
      } else {
        const battery = r.u8();
        a.voltageLevel = battery;
        if (nt && (type === GPS_LBS_2 || type === GPS_LBS_DRIVER)) a.battery = battery / 10;
        else if (battery <= 6) a.batteryLevel = Math.floor((battery * 100) / 6);
        else if (battery <= 100) a.batteryLevel = battery;
      }
      a.rssi = r.u8(); // GSM level 0-4
      if (type === STATUS && alarms.lw) {
        a.power = (r.u16() & 0xfff) / 10;
      } else {
        let extension = r.u8();
        if (type === GPS_LBS_STATUS_3 || type === FENCE_MULTI || type === ALARM_MODULE)
          extension += (r.peek() >> 4) << 8;
        if (type === STATUS && alarms.seeworld) a.power = extension;
        else if (variant !== Variant.VXT01) {
          addAlarm(msg, alarmName(extension, alarms, variant));
          if (variant === Variant.TRX16I) a.event = extension;
        }
      }
    }
  }
  if (
    type === STATUS_2 ||
    type === WIFI_3 ||
    type === GPS_LBS_STATUS_3 ||
    type === FENCE_MULTI ||
    type === ALARM_MODULE ||
    (nt && (type === GPS_LBS_2 || type === GPS_LBS_DRIVER))
  )
    r.u8(); // language
  if (type === GPS_LBS_STATUS_1 && variant === Variant.TRX16I) {
    r.u8(); // language
    const rfid = r.hex(8);
    if (!/^0+$/.test(rfid)) a.driverUniqueId = rfid;
  }
  if (type === STATUS_2 || type === ALARM_MODULE) {
    while (r.remaining > 0) {
      const module = r.u16();
      const length = r.u8();
      if (module === 0x0018) a.battery = r.u16() / 100;
      else if (module === 0x0032) a.startupStatus = r.u8();
      else if (module === 0x006a) a.batteryLevel = r.u8();
      else r.skip(length);
    }
  }
  if (type === WIFI_3) {
    a.odometer = r.u32();
    a.hours = r.u32() * 1000;
    r.skip(8); // terminal id
    a.input = r.u16();
  }
  if (type === GPS_LBS_1) decodeGpsLbs1Variants(c, r, msg);
  if (type === GPS_LBS_2 && variant === Variant.Seeworld) {
    msg.ignition = r.u8() > 0;
    r.skip(2); // reporting mode, supplementary transmission
    a.odometer = r.u32();
    r.u32(); // travel time
    const t = r.u16();
    a.temp1 = (t & 0x8000 ? -(t & 0x7fff) : t) / 100;
    a.humidity = r.u16() / 100;
  }
  if (type === GPS_LBS_STATUS_4 && variant === Variant.SL4X) msg.altitude = r.i16();
  if (
    (type === GPS_LBS_2 || type === GPS_LBS_3 || type === GPS_LBS_4 || type === GPS_LBS_5) &&
    r.remaining >= 3 &&
    !nt
  ) {
    msg.ignition = r.u8() > 0;
    a.event = r.u8(); // upload reason
    a.archive = r.u8() > 0;
    if (variant === Variant.SL4X) {
      if (r.remaining > 2) a.odometer = r.u32();
      msg.altitude = r.i16();
    }
  }
  if (type === GPS_LBS_3) {
    const module = r.u16();
    const length = r.u8();
    if (module === 0x0027) a.power = r.u16() / 100;
    else if (module === 0x002e) a.odometer = r.u32();
    else if (module === 0x003b) a.accuracy = r.u16() / 100;
    else r.skip(length);
  }
  if (type === WIFI) {
    // GPS + LBS + RFID variant
    a.driverUniqueId = r.hex(8);
    r.u8(); // validity
  }
  if (nt && (type === GPS_LBS_2 || type === GPS_LBS_DRIVER)) {
    a.odometer = r.u24();
    a.hours = r.u24() * 60000;
  }
  if (nt && type === GPS_LBS_DRIVER) {
    const length = r.u8();
    if (length > 0) {
      r.u8(); // identifier type
      a.driverUniqueId = r.hex(length - 1);
    }
  }
  if (r.remaining === 3 || r.remaining === 7) {
    msg.ignition = r.u8() > 0;
    r.u8(); // upload mode
    if (r.u8() > 0) a.archive = true;
  }
  if (r.remaining === 4) a.odometer = r.u32();
  if (type === GPS_LBS_STATUS_3 || type === FENCE_MULTI) a.geofence = r.u8();

  if (type === STATUS || type === STATUS_2) return 'heartbeat';
  return msg.alarms.length ? 'alarm' : 'status';
}

/** 0x12 layouts of other firmware families, told apart by length. */
function decodeGpsLbs1Variants(c: Ctx, r: Reader, msg: TrackerMessage): void {
  const a = msg.attributes;
  switch (c.variant) {
    case Variant.GT06ECard: {
      a.odometer = r.u32();
      const card = r.ascii(r.u8());
      r.skip(2); // alarm, swiped
      a.card = card.trim();
      break;
    }
    case Variant.Benway: {
      const mask = r.u16();
      msg.ignition = (mask & (1 << 15)) !== 0;
      a.in2 = (mask & (1 << 14)) !== 0;
      if (mask & (1 << 12)) {
        let value = mask & 0x1ff;
        if (mask & (1 << 9)) value = -value;
        a.temp1 = value;
      } else {
        const value = mask & 0x3ff;
        a.adc1 = mask & (1 << 13) ? value : value / 10;
      }
      break;
    }
    case Variant.VXT01:
      decodeTerminalInfo(c, r, msg);
      a.power = r.u16() / 100;
      a.rssi = r.u8();
      r.u8(); // alarm extension
      break;
    case Variant.S5: {
      decodeTerminalInfo(c, r, msg);
      a.power = r.u16() / 100;
      a.rssi = r.u8();
      addAlarm(msg, alarmName(r.u8(), c.alarms, c.variant));
      a.oil = r.u16();
      const t = r.u8();
      a.temp1 = t & 0x80 ? -(t & 0x7f) : t;
      a.odometer = r.u32() * 10;
      break;
    }
    case Variant.Wetrust:
      a.odometer = r.u32();
      a.card = r.ascii(r.u8());
      if (r.u8() > 0) addAlarm(msg, 'general');
      a.cardStatus = r.u8();
      a.drivingTime = r.u16();
      break;
    default:
      break;
  }
}

function decodeX1Gps(c: Ctx, r: Reader, msg: TrackerMessage): void {
  const a = msg.attributes;
  r.u32(); // data and alarm
  decodeGps(c, r, msg);
  r.u16(); // terminal info
  a.odometer = r.u32();
  addCell(msg, { mcc: r.u16(), mnc: r.u8(), lac: r.u16(), cid: r.u32() });
  const driverId = r.u32();
  if (driverId > 0) a.driverUniqueId = String(driverId);
  a.battery = r.u16() / 100;
  a.power = r.u16() / 100;
  const portInfo = r.u32();
  a.input = r.u8();
  a.output = r.u8();
  const adcCount = (portInfo >>> 20) & 0x0f;
  for (let i = 1; i <= adcCount; i++) a[`adc${i}`] = r.u16() / 100;
}

/** Wi-Fi 0x17/0x69/0xF3: BCD time, access points (and cells), answered with the same time (not 0xF3). */
function decodeWifi(c: Ctx, r: Reader, msg: TrackerMessage): void {
  const time = r.slice(6);
  setDeviceTime(
    msg,
    deviceTime(
      2000 + bcdByte(time[0]),
      bcdByte(time[1]),
      bcdByte(time[2]),
      bcdByte(time[3]),
      bcdByte(time[4]),
      bcdByte(time[5]),
    ),
  );
  msg.network = {};
  const count = c.type === WIFI_4 ? r.u8() : c.frame[2]; // 0x17/0x69: the length byte is the access-point count
  for (let i = 0; i < count; i++) {
    if (c.type === WIFI_4) r.skip(2);
    const ap: WifiAccessPoint = { mac: readMac(r) };
    if (c.type !== WIFI_4) ap.rssi = r.u8();
    addWifi(msg, ap);
  }
  if (c.type === WIFI_4) return;
  const cells = r.u8();
  const mcc = r.u16();
  const mnc = r.u8();
  for (let i = 0; i < cells; i++) addCell(msg, { mcc, mnc, lac: r.u16(), cid: r.u16(), rssi: r.u8() });
  c.out.replies.push(wifiReplyFrame(c.type, time));
}

/** Several cells (and Wi-Fi access points) with a timing advance: 0x18, 0x24, 0x28, 0x2C, 0x2E, 0xA1... */
function decodeMultiCell(c: Ctx, r: Reader, msg: TrackerMessage): void {
  const { type, variant } = c;
  setDeviceTime(msg, decodeDate(c, r));
  const s20 = variant === Variant.WanwayS20;
  const sl4x = variant === Variant.SL4X;
  if (s20 || sl4x) r.u8(); // timing advance
  let mcc = r.u16();
  const mnc = mcc & 0x8000 || sl4x ? r.u16() : r.u8();
  mcc &= 0x7fff;
  msg.network = {};
  const cell4g = type === WIFI_ALARM && r.u8() > 0;
  const count = s20 || type === WIFI_ALARM ? r.u8() : type === WIFI_5 ? 6 : 7;
  for (let i = 0; i < count; i++) {
    let lac: number;
    let cid: number;
    if (type === LBS_2 || type === WIFI_3 || cell4g) {
      lac = r.i32();
      cid = r.u64();
    } else if (type === WIFI_5 || type === X1_GPS) {
      lac = r.u16();
      cid = r.u32();
    } else {
      lac = r.u16();
      cid = r.u24();
    }
    const rssi = -r.u8();
    if (lac > 0) addCell(msg, { mcc, mnc, lac, cid, rssi });
  }
  if (!s20 && !sl4x) r.u8(); // timing advance
  if (
    type !== LBS_MULTIPLE_1 &&
    type !== LBS_MULTIPLE_2 &&
    type !== LBS_MULTIPLE_3 &&
    type !== LBS_2 &&
    type !== X1_GPS
  ) {
    const n = r.u8();
    for (let i = 0; i < n; i++) addWifi(msg, { mac: readMac(r), rssi: r.u8() });
  }
  if (type === WIFI_ALARM) {
    const alarm = r.u8();
    const language = r.u8();
    addAlarm(msg, alarmName(((language >> 4) << 8) | alarm, c.alarms, c.variant));
  }
}

/** 0x15: answer to a command, with the server flag of that command (see commands.ts). */
function decodeString(c: Ctx, r: Reader, msg: TrackerMessage): void {
  const length = r.u8();
  if (length < 4) return;
  const flag = r.u32();
  msg.attributes.serverFlag = flag;
  const text = r.ascii(Math.min(length - 4, r.buf.length - r.pos));
  if (text.startsWith('<ICCID:')) msg.attributes.iccid = text.substring(7, 27);
  else {
    msg.attributes.result = text;
    c.out.answers.push(gt06Answer(flag, text));
  }
}

/** 0x21 (7979): command answer text, ASCII or UTF-16, or a position in words. */
function decodeStringInfo(c: Ctx, r: Reader, msg: TrackerMessage): void {
  const flag = r.u32();
  msg.attributes.serverFlag = flag;
  const ascii = r.u8() === 1;
  const data = r.slice(r.remaining);
  const text = ascii ? data.toString('latin1') : utf16be(data);
  const m =
    /Current position!Lat:([NS])(\d+\.\d+),Lon:([EW])(\d+\.\d+),Course:(\d+\.\d+),Speed:(\d+\.\d+),DateTime:(\d{4})-(\d\d)-(\d\d) +(\d\d):(\d\d):(\d\d)/.exec(
      text,
    );
  if (m) {
    msg.valid = true;
    msg.lat = Number(m[2]) * (m[1] === 'S' ? -1 : 1);
    msg.lon = Number(m[4]) * (m[3] === 'W' ? -1 : 1);
    msg.course = Number(m[5]);
    msg.speed = Number(m[6]);
    setDeviceTime(msg, deviceTime(+m[7], +m[8], +m[9], +m[10], +m[11], +m[12], c.tz));
  } else msg.attributes.result = text;
  c.out.answers.push(gt06Answer(flag, text));
}

/** 0x94 (7979) information by sub-type. Returns false when nothing is decoded. */
function decodeInfo(c: Ctx, r: Reader, msg: TrackerMessage): boolean {
  const a = msg.attributes;
  const subType = r.u8();
  switch (subType) {
    case 0x00:
      a.adc1 = r.u16() / 100;
      return true;
    case 0x04: {
      for (const pair of r.ascii(r.remaining).split(';')) {
        const [key, value] = pair.split('=');
        const n = parseInt(value, 16);
        if (/^ALM[1-4]$/.test(key)) a[`alarm${Number(key[3])}Status`] = n;
        else if (key === 'STA1') a.otherStatus = n;
        else if (key === 'DYD') a.engineStatus = n;
      }
      return true;
    }
    case 0x05: {
      if (r.remaining >= 7) a.deviceTime = isoTime(decodeDate(c, r));
      const flags = r.u8();
      a.door = (flags & 1) !== 0;
      a.io1 = (flags & 4) !== 0;
      return true;
    }
    case 0x0a:
      r.skip(16); // IMEI, IMSI
      a.iccid = r.hex(10).replace(/f+$/, '');
      return true;
    case 0x0b: {
      const contentLength = c.length - 6;
      if (contentLength === 1) a.networkTechnology = r.i8() > 0 ? '4G' : '2G';
      else if (contentLength === 2) a.power = r.u16() / 100;
      return true;
    }
    case 0x0d: {
      if (r.peek() !== 0x21) r.skip(6); // date before "!AIOIL"
      const m = /^!AIOIL,\d+,\d+\.\d+,(\d+\.\d+),[^,]+,\d\d\d\d,(\d+\.\d+),[01],\d+,[0-9A-Fa-f]{2}/.exec(
        r.ascii(r.remaining),
      );
      if (!m) return false;
      a.temp1 = Number(m[1]);
      a.fuel = Number(m[2]);
      return true;
    }
    case 0x1b: {
      const first = r.peek();
      if ((first >= 0x41 && first <= 0x5a) || (first >= 0x61 && first <= 0x7a)) {
        a.serial = r.ascii(r.remaining).trim();
      } else {
        r.skip(2); // header, type
        a.driverUniqueId = r.hex(4);
      }
      return true;
    }
    case 0x1e:
      a.temp1 = r.i32() / 10;
      a.humidity = r.i32() / 10;
      return true;
    default:
      reportError(c.out, c.conn, 'unknown-type', `GT06 0x94 sub-type 0x${hexByte(subType)} not decoded`, c.frame);
      return false;
  }
}

/** 0x95: camera alarm (JC100/JC261/JC400): short form date + event, long form with a position. */
function decodeCameraAlarm(c: Ctx, r: Reader, msg: TrackerMessage): void {
  const jc400 = c.variant === Variant.JC400;
  const long = c.length - 5 > 7;
  if (long) {
    if (jc400) r.skip(3); // marker, version
    decodeGps(c, r, msg, false, jc400, jc400, jc400, jc400);
  } else setDeviceTime(msg, decodeDate(c, r));
  if (jc400) msg.attributes.power = r.u16() / 10;
  const event = r.u8();
  msg.attributes.event = event;
  msg.attributes.eventData = r.u16();
  addAlarm(msg, cameraEventAlarm(event, long));
  if (r.remaining > 0) msg.attributes.eventFiles = r.ascii(r.remaining);
}

function decodeBms(r: Reader, msg: TrackerMessage): void {
  const a = msg.attributes;
  r.skip(8); // serial number
  setDeviceTime(msg, r.u32() * 1000);
  a.relativeCapacity = r.u8();
  a.remainingCapacity = r.u16();
  a.absoluteCapacity = r.u8();
  a.fullCapacity = r.u16();
  a.batteryHealth = r.u8();
  a.batteryTemp = r.u16() / 10 - 273.1;
  a.current = r.u16();
  a.battery = r.u16() / 1000;
  a.cycleIndex = r.u16();
  for (let i = 1; i <= 14; i++) a[`batteryCell${i}`] = r.u16() / 1000;
  a.currentChargeInterval = r.u16();
  a.maxChargeInterval = r.u16();
  a.barcode = r.ascii(16).trim();
  a.batteryVersion = r.u16();
  a.manufacturer = r.ascii(16).trim();
  a.batteryStatus = r.u32();
  a.controllerStatus = r.u32();
  a.controllerFault = r.u32();
}

/** 0x32/0x33 on 7979 (AZ735): GPS and LBS each with a length byte, status code. */
function decodeAz735(c: Ctx, r: Reader, msg: TrackerMessage): void {
  const time = r.pos;
  if (!decodeGps(c, r, msg, true)) {
    delete msg.satellites;
    r.pos = time + 7;
  }
  if (decodeLbs(c, r, msg, true)) msg.attributes.rssi = r.u8();
  r.skip(r.u8()); // more cells
  r.skip(r.u8()); // Wi-Fi access points
  const status = r.u8();
  msg.attributes.status = status;
  if (c.type === WIFI_5) {
    if (status === 0xa0) msg.attributes.armed = true;
    else if (status === 0xa1) msg.attributes.armed = false;
    else if (status === 0xa2 || status === 0xa3) addAlarm(msg, 'lowBattery');
    else if (status === 0xa4) addAlarm(msg, 'general');
    else if (status === 0xa5) addAlarm(msg, 'door');
  }
  r.skip(r.u8()); // reserved extension
}

/** 0x8C (FM08ABC): OBD values as "id=hex" pairs. */
function decodeObd(c: Ctx, r: Reader, msg: TrackerMessage): void {
  const a = msg.attributes;
  setDeviceTime(msg, decodeDate(c, r));
  msg.ignition = r.u8() > 0;
  const text = r.ascii(Math.max(0, r.remaining - 12));
  for (const pair of text.split(',')) {
    const [key, value] = pair.split('=');
    if (value === undefined || key.length < 2) continue;
    const n = parseInt(value, 16) / 100;
    switch (parseInt(key.slice(0, 2), 16)) {
      case 40:
        a.odometer = n;
        break;
      case 43:
        a.fuel = n;
        break;
      case 45:
        a.coolantTemp = n;
        break;
      case 53:
        a.obdSpeed = n;
        break;
      case 54:
        a.rpm = n;
        break;
      case 71:
        a.fuelUsed = n;
        break;
      case 73:
        a.hours = n;
        break;
      case 74:
        a.vin = value;
        break;
    }
  }
}

/** 0x70 (7979): type-length-value modules, including a GPS fix with Unix time. */
function decodeModular(r: Reader, msg: TrackerMessage): void {
  const a = msg.attributes;
  while (r.remaining > 0) {
    const module = r.u16();
    const length = r.u16();
    const start = r.pos;
    switch (module) {
      case 0x03:
        a.iccid = r.hex(10);
        break;
      case 0x09:
        msg.satellites = r.u8();
        break;
      case 0x0a:
        a.satellitesVisible = r.u8();
        break;
      case 0x11: {
        const cell: CellTower = { mcc: r.u16(), mnc: r.u16(), lac: r.u16(), cid: r.u24(), rssi: r.u8() };
        if (cell.cid > 0) addCell(msg, cell);
        break;
      }
      case 0x18:
        a.battery = r.u16() / 100;
        break;
      case 0x28:
        a.hdop = r.u8() / 10;
        break;
      case 0x29:
        a.index = r.u32();
        break;
      case 0x2a: {
        const input = r.u8();
        a.door = (input & 0x0f) > 0;
        a.tamper = input >> 4 > 0;
        break;
      }
      case 0x2b:
        a.bootReason = r.u8();
        break;
      case 0x2e:
        a.odometer = r.u32le();
        break;
      case 0x33: {
        setDeviceTime(msg, r.u32() * 1000);
        msg.satellites = r.u8();
        msg.altitude = r.i16();
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
        break;
      }
      case 0x34: {
        const event = r.u8();
        addAlarm(msg, modularEventAlarm(event));
        a.event = event;
        r.u32le(); // time
        r.skip(r.u8()); // content
        break;
      }
      case 0x7f:
        a.tag1Id = r.hex(6);
        a.tag1Battery = r.u16() / 1000;
        a.tag1BatteryLevel = r.u8();
        a.tag1Temp = r.i16() / 10;
        a.tag1Humidity = r.i16();
        a.tag1Status = r.u8();
        break;
      default:
        r.skip(length);
    }
    if (module !== 0x34 && r.pos < start + length) r.pos = start + length; // tolerate longer modules
  }
}

/** 0xF1 device status / 0xF2 peripheral (VL842): Unix time + TLVs. */
function decodeDeviceStatus(c: Ctx, r: Reader, msg: TrackerMessage): void {
  const a = msg.attributes;
  setDeviceTime(msg, r.u32() * 1000);
  while (r.remaining > 0) {
    const id = r.u16();
    if (c.type === PERIPHERAL) {
      if (id === 0x000a) {
        const length = r.u16();
        r.u8(); // MAC address type
        a.mac = r.hex(6);
        const event = r.u8();
        a.event = event;
        const eventData = r.u8();
        if (event > 0) a.eventData = eventData;
        a.dataType = r.u8();
        a.dataDetails = r.hex(length - 10);
      } else if (id === 0x000c) {
        r.u8(); // length
        a.externalBatteryLevel = r.u8();
        if (r.u8() > 0) a.externalBatteryCharge = true;
        a.externalBatteryCycles = r.u16();
        r.skip(6);
      } else {
        const length = r.u8();
        r.skip(length === 0 ? r.u8() : length);
      }
    } else {
      const length = r.u8();
      const start = r.pos;
      if (id === 0x0001) {
        const motion = r.u8();
        a.motion = motion === 2 || motion === 4;
      } else if (id === 0x0002) a.armed = r.u8() > 0;
      else if (id === 0x0004) msg.ignition = r.u8() > 0;
      else if (id === 0x0005) a.power = r.u16() / 100;
      else if (id === 0x0007) a.charge = r.u8() > 0;
      else if (id === 0x000a) a.chargeVoltage = r.u16();
      else if (id === 0x000b) a.batteryTemp = r.u16() / 10;
      r.pos = start + length;
    }
  }
}

/** X1 photo: the server asks for the picture in chunks of at most 1024 bytes. */
function startMedia(c: Ctx, size: number, id: number): void {
  if (size <= 0 || size > MAX_MEDIA_BYTES) {
    reportError(c.out, c.conn, 'malformed', `GT06 photo of ${size} bytes refused (limit ${MAX_MEDIA_BYTES})`, c.frame);
    c.conn.state.media = undefined;
    return;
  }
  c.conn.state.media = { id, data: Buffer.alloc(size), received: 0 };
  requestPhoto(c);
}

function requestPhoto(c: Ctx): void {
  const m = c.conn.state.media!;
  const body = Buffer.alloc(1 + 4 + 4 + 2 + 2);
  body[0] = STATUS_2; // 0x36 photo data request
  body.writeInt32BE(m.id | 0, 1);
  body.writeUInt32BE(m.received, 5);
  body.writeUInt16BE(Math.min(m.data.length - m.received, 1024), 9);
  c.out.replies.push(gt06Frame(body)); // serial 0
}

function decodeX1PhotoData(c: Ctx, r: Reader): void {
  const id = r.i32();
  r.u32(); // offset
  const chunk = r.slice(r.u16());
  const m = c.conn.state.media;
  if (!m || m.id !== (id | 0)) return;
  const n = Math.min(chunk.length, m.data.length - m.received);
  chunk.copy(m.data, m.received, 0, n);
  m.received += n;
  if (m.received < m.data.length) {
    requestPhoto(c);
    return;
  }
  const msg = newMessage(c.conn, 'media');
  msg.attributes.media = m.data;
  msg.attributes.mediaType = 'image';
  msg.attributes.mediaFormat = 'jpeg';
  c.conn.state.media = undefined;
  c.out.messages.push(msg);
}

/** 0x41 (WD-209): a JPEG in several frames; the first has chunk index 0 and the whole size. */
function decodeMultimedia(c: Ctx, r: Reader, msg: TrackerMessage): void {
  r.skip(8); // serial number
  const time = r.u32() * 1000;
  r.skip(4 + 4 + 2 + 1 + 1 + 2 + 2 + 2 + 2 + 2); // GPS, cell
  const id = r.i32();
  const size = r.i32();
  const mediaType = r.u8();
  const format = r.u8();
  if (mediaType !== 0 || format !== 0) return;
  r.u8(); // event
  if (r.u16() === 0) {
    if (size <= 0 || size > MAX_MEDIA_BYTES) {
      reportError(
        c.out,
        c.conn,
        'malformed',
        `GT06 photo of ${size} bytes refused (limit ${MAX_MEDIA_BYTES})`,
        c.frame,
      );
      c.conn.state.media = undefined;
      return;
    }
    c.conn.state.media = { id, data: Buffer.alloc(size), received: 0 };
  }
  const m = c.conn.state.media;
  if (!m) return;
  const chunk = r.slice(r.remaining);
  const n = Math.min(chunk.length, m.data.length - m.received);
  chunk.copy(m.data, m.received, 0, n);
  m.received += n;
  if (m.received < m.data.length) return;
  setDeviceTime(msg, time);
  msg.type = 'media';
  msg.attributes.media = m.data;
  msg.attributes.mediaType = 'image';
  msg.attributes.mediaFormat = 'jpeg';
  c.conn.state.media = undefined;
  c.out.messages.push(msg);
}

/** Bytes a person can read: anything from space up, plus CR and LF. */
function printable(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) {
    const x = b[i];
    if ((x < 32 || x > 126) && x !== 13 && x !== 10) return false;
  }
  return true;
}
