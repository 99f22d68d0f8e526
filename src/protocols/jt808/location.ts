/**
 * JT/T 808 location report body (0x0200, and inside 0x0201, 0x0500, 0x0704, 0x0801...): the 28-byte basic
 * block (docs/protocols/jt808.md) and the additional-information items, standard and vendor. Every item is
 * read through a reader bounded to its declared length: a short or lying item is reported and skipped,
 * never read past.
 */
import { setDeviceTime } from '../common/record';
import { addCell, addWifi, readMac } from '../common/network';
import { hexByte } from '../common/hex';
import { addAlarm, reportError, type Connection, type DecodeOutput } from '../codec';
import { bcdByte } from '../common/bcd';
import { deviceTime, isoTime } from '../common/time';
import { FrameTooShort, Reader } from '../common/reader';
import { trimControl } from '../common/text';
import type { TrackerMessage } from '../../types';
import type { AlarmName, NumericAttributeKey } from '../../vocabulary';
import { alarmsOf } from '../common/flags';
import { JT808_ALARMS } from './flags';
import type { Jt808State } from './state';

export const BASIC_BLOCK_LENGTH = 28;
/** JT/T 808 terminals report China time unless configured otherwise. */
export const DEFAULT_TIMEZONE_MINUTES = 480;

const PADLOCK_MODELS = new Set(['G-360P', 'G-508P']);
const AOVX_MODELS = new Set(['AL300', 'GL100']);
const JC_MODELS = new Set(['JC371', 'JC181', 'JC182', 'JC450', 'JC451']);

export interface LocationContext {
  conn: Connection<Jt808State>;
  out: DecodeOutput;
  frame: Buffer;
  model: string;
}

export function clockOffset(conn: Connection<Jt808State>): number {
  return conn.options.timezoneOffset ?? DEFAULT_TIMEZONE_MINUTES;
}

/** BCD YYMMDDhhmmss in the device clock. */
export function readBcdTime(r: Reader, offsetMinutes: number): number {
  const b = r.slice(6);
  return deviceTime(
    2000 + bcdByte(b[0]),
    bcdByte(b[1]),
    bcdByte(b[2]),
    bcdByte(b[3]),
    bcdByte(b[4]),
    bcdByte(b[5]),
    offsetMinutes,
  );
}

/** The alarm word's set bits as alarm names (the table tracker-flags reads too), with the models that differ. */
export function alarmWordAlarms(msg: TrackerMessage, model: string, value: number): void {
  const bit = (n: number) => ((value >>> n) & 1) === 1;
  if (PADLOCK_MODELS.has(model)) {
    if (bit(0) || bit(4)) addAlarm(msg, 'removing');
    if (bit(1)) addAlarm(msg, 'tampering');
    return;
  }
  if (AOVX_MODELS.has(model)) {
    if (bit(16)) addAlarm(msg, 'movement');
    return;
  }
  // VL300 firmware sets the collision and rollover bits for something else
  alarmsOf(model === 'VL300' ? value & 0x9fffffff : value, JT808_ALARMS, msg.alarms);
}

/** Status word and coordinates (shared by 0x0200 and the 0x0900 vendor records). */
export function readCoordinates(r: Reader, msg: TrackerMessage, model: string): void {
  const status = r.u32();
  msg.statusFlags = status;
  const a = msg.attributes;
  msg.ignition = (status & 1) !== 0;
  if (model === 'G1C PRO') a.motion = (status & 0x10) !== 0;
  a.blocked = (status & 0x400) !== 0;
  if (model === 'MV810G' || model === 'MV710G') a.door = (status & 0x10000) !== 0;
  a.charge = (status & 0x4000000) !== 0;
  msg.valid = (status & 2) !== 0;
  const lat = r.u32() / 1e6;
  const lon = r.u32() / 1e6;
  msg.lat = status & 4 ? -lat : lat;
  msg.lon = status & 8 ? -lon : lon;
}

/** The 28-byte basic block. */
export function readBasicBlock(r: Reader, msg: TrackerMessage, c: LocationContext): void {
  const alarm = r.u32();
  msg.alarmFlags = alarm;
  // tracker-flags needs it: 2013 terminals clear some alarm bits after the reply that 2019 ones hold
  msg.attributes.protocolVersion = c.conn.state.version !== undefined ? 2019 : 2013;
  alarmWordAlarms(msg, c.model, alarm);
  readCoordinates(r, msg, c.model);
  msg.altitude = r.i16();
  msg.speed = r.u16() / 10;
  msg.course = r.u16();
  const t = readBcdTime(r, clockOffset(c.conn));
  setDeviceTime(msg, t);
}

/** A whole location body: basic block then items up to `end`. */
export function readLocation(r: Reader, end: number, msg: TrackerMessage, c: LocationContext): void {
  readBasicBlock(r, msg, c);
  if (end - r.pos === 18) {
    // a vendor record instead of items: 4 bytes, odometer km, battery, area, signal, 3 reserved
    const a = msg.attributes;
    r.skip(4);
    a.odometer = r.u32() * 1000;
    a.battery = r.u16() / 10;
    r.u32(); // area
    a.rssi = r.u8();
    r.skip(3);
    return;
  }
  readItems(r, end, msg, c);
}

/** Items `{id, length, value}` until `end`; each is read within its own length. */
export function readItems(r: Reader, end: number, msg: TrackerMessage, c: LocationContext): void {
  // one Item for the whole list (the hot path allocates nothing per item)
  const item: Item = { id: 0, length: 0, msg, a: msg.attributes, model: c.model, c, bodyEnd: end };
  while (end - r.pos > 0) {
    if (end - r.pos < 2) {
      reportError(c.out, c.conn, 'malformed', `JT/T 808 item header cut short at the end of the body`, c.frame);
      return;
    }
    const id = r.u8();
    const length = r.u8();
    const start = r.pos;
    if (start + length > end) {
      reportError(
        c.out,
        c.conn,
        'malformed',
        `JT/T 808 item 0x${hexByte(id)} declares ${length} bytes, ${end - start} remain: items skipped`,
        c.frame,
      );
      r.pos = end;
      return;
    }
    const value = new Reader(r.buf, start, start + length, start + length);
    const read = STANDARD_ITEMS[id] ?? VENDOR_ITEMS[id]; // unknown items are skipped by their length
    if (read) {
      item.id = id;
      item.length = length;
      try {
        read(value, item);
      } catch (err) {
        if (!(err instanceof FrameTooShort)) throw err;
        const what = `JT/T 808 item 0x${hexByte(id)} of ${length} bytes is shorter than its content`;
        reportError(c.out, c.conn, 'malformed', `${what} (${err.message})`, c.frame);
      }
    }
    // 0x80 (OBD) runs to the end of the body
    r.pos = id === 0x80 ? Math.max(value.pos, start + length) : start + length;
  }
}

/** What an item reader may read and write: the record, its attributes, and the item's own length. */
interface Item {
  id: number;
  length: number;
  msg: TrackerMessage;
  a: TrackerMessage['attributes'];
  model: string;
  c: LocationContext;
  /** End of the message body (0x80 runs to it). */
  bodyEnd: number;
}

type ItemReader = (r: Reader, item: Item) => void;

/** Analogue inputs (standard 0x2B; some vendors send the same as 0xA7). */
const analogInputs: ItemReader = (r, { a }) => {
  a.adc1 = r.u16() / 100; // AD1 (high word)
  a.adc2 = r.u16() / 100; // AD0
};

/** 0xD4 / 0xE1 / 0xE9: battery level (1 byte); 0xE1 may instead carry cells or the supply voltage; else a driver ID. */
const batteryOrDriver: ItemReader = (r, { msg, a, length, id }) => {
  if (length === 1) {
    const level = r.u8();
    if (level === 0xff) a.charge = true;
    else a.batteryLevel = level;
  } else if (id === 0xe1 && length >= 12 && (length - 4) % 8 === 0) {
    const mcc = r.u16();
    const mnc = r.u16();
    while (r.remaining > 0) addCell(msg, { mcc, mnc, lac: r.u24(), cid: r.u32(), rssi: r.u8() });
  } else if (id === 0xe1 && length === 2) a.power = r.u16() / 10;
  else a.driverUniqueId = String(r.u32());
};

/** 0xEC / 0xF4: Wi-Fi access points, MAC and signal each. */
const wifiAccessPoints: ItemReader = (r, { msg }) => {
  while (r.remaining > 0) addWifi(msg, { mac: readMac(r), rssi: r.i8() });
};

/** Driving events of vendor item 0x70. */
const DRIVING_EVENTS: Record<number, AlarmName> = {
  0x01: 'hardAcceleration',
  0x02: 'hardBraking',
  0x03: 'hardCornering',
  0x16: 'accident',
};

/** Additional items the standard defines (JT/T 808-2013/2019, JT/T 1078 video, active safety 0x64-0x67). */
const STANDARD_ITEMS: Record<number, ItemReader> = {
  0x01: (r, { a }) => {
    a.odometer = r.u32() * 100; // 1/10 km -> m
  },
  0x02: (r, { a }) => {
    const fuel = r.u16();
    a.fuel = fuel & 0x8000 ? fuel & 0x7fff : fuel / 10; // 1/10 L (vendor: bit 15 = litres)
  },
  0x03: (r, { a }) => {
    a.tachographSpeed = r.u16() / 10; // km/h
  },
  0x04: (r, { a }) => {
    a.manualAlarmId = r.u16();
  },
  0x05: (r, { a, length }) => {
    // 2019 tyre pressure, 30 bytes of kPa
    if (length > 0) a.tirePressures = Array.from(r.slice(length));
  },
  0x06: (r, { a }) => {
    a.batteryLevel = r.u8(); // vendor use; 2019: cabin temperature
  },
  0x11: (r, { a }) => {
    const type = r.u8();
    a.overspeedArea = type === 0 ? { locationType: 0 } : { locationType: type, areaId: r.u32() };
  },
  0x12: (r, { a }) => {
    a.areaAlarm = { locationType: r.u8(), areaId: r.u32(), direction: r.u8() === 0 ? 'in' : 'out' };
  },
  0x13: (r, { a }) => {
    a.routeTime = { routeId: r.u32(), seconds: r.u16(), result: r.u8() === 0 ? 'tooShort' : 'tooLong' };
  },
  0x14: (r, { a }) => {
    a.videoAlarm = r.u32();
  },
  0x15: (r, { a }) => {
    a.videoLoss = r.u32();
  },
  0x16: (r, { a }) => {
    a.videoOcclusion = r.u32();
  },
  0x17: (r, { a }) => {
    a.storageFault = r.u16();
  },
  0x18: (r, { a, length }) => {
    const flags = r.u16();
    a.abnormalDriving = { flags, fatigue: length >= 3 ? r.u8() : undefined };
  },
  0x25: (r, { msg }) => {
    msg.vehicleSignals = r.u32(); // extended vehicle signal status (raw, for tracker-flags)
  },
  0x2a: (r, { a }) => {
    a.ioStatus = r.u16();
  },
  0x2b: analogInputs,
  0x30: (r, { a }) => {
    a.rssi = r.u8();
  },
  0x31: (r, { msg }) => {
    msg.satellites = r.u8();
  },
  0x64: (r, { a, length, c }) => {
    a.adas = readSafetyAlarm(r, length, 'adas', c);
    if (length >= 47) a.alarmLabel = r.buf.toString('hex', r.stop - 16, r.stop);
  },
  0x65: (r, { a, length, c }) => {
    a.dsm = readSafetyAlarm(r, length, 'dsm', c);
    if (length >= 47) a.alarmLabel = r.buf.toString('hex', r.stop - 16, r.stop);
  },
  0x66: (r, { a, length, c }) => {
    a.tpms = readSafetyAlarm(r, length, 'tpms', c);
  },
  0x67: (r, { a, length, c }) => {
    a.bsd = readSafetyAlarm(r, length, 'bsd', c);
  },
};

/** Vendor items seen in the field (IDs the standard leaves to manufacturers; some meanings depend on the model). */
const VENDOR_ITEMS: Record<number, ItemReader> = {
  0x0b: (r, { a, length }) => {
    a.lockCommand = r.u8();
    if (length >= 5 && length <= 6) a.lockCard = r.u32();
    else if (length >= 7) a.lockPassword = r.ascii(6);
    if (length % 2 === 0) a.unlockResult = r.u8();
  },
  0x33: (r, { a, length }) => {
    if (length === 1) a.mode = r.u8();
    else {
      const s = r.ascii(length);
      if (s.startsWith('*M00') && s.length >= 15) a.battery = parseInt(s.substring(10, 13), 10) / 100;
    }
  },
  0x51: (r, { a, length }) => {
    if (length === 2 || length === 16) {
      for (let i = 1; i <= length / 2; i++) {
        const v = r.u16();
        if (v !== 0xffff) a[`temp${i}`] = v & 0x8000 ? -(v & 0x7fff) / 10 : v / 10;
      }
    }
  },
  0x56: (r, { a }) => {
    a.batteryLevel = r.u8() * 10;
  },
  0x57: (r, { msg, model }) => {
    const alarm = r.u16();
    if (alarm & 0x100) addAlarm(msg, 'hardAcceleration');
    if (alarm & 0x200) addAlarm(msg, 'hardBraking');
    if (alarm & 0x400) addAlarm(msg, 'hardCornering');
    r.u16(); // external switches
    const more = r.u32();
    if ((model === 'MV810G' || model === 'MV710G') && more & 0x10000) addAlarm(msg, 'door');
  },
  0x60: (r, { a }) => {
    const event = r.u16();
    a.event = event;
    if (event >= 0x61 && event <= 0x66) {
      r.skip(6); // lock id
      a.driverUniqueId = r.ascii(8);
    }
  },
  0x61: (r, { a }) => {
    a.power = r.u16() / 100;
  },
  0x63: (r, { a, length }) => {
    for (let i = 1; i <= Math.floor(length / 11); i++) {
      a[`lock${i}Id`] = r.hex(6);
      a[`lock${i}Battery`] = r.u16() / 1000;
      a[`lock${i}Seal`] = r.u8() === 0x31;
      r.skip(2); // physical state, rssi
    }
  },
  0x68: (r, { a }) => {
    a.batteryLevel = r.u16() / 100;
  },
  0x69: (r, { a }) => {
    a.battery = r.u16() / 100;
  },
  0x70: (r, { msg }) => {
    r.u32(); // alarm serial
    r.u8(); // alarm status
    addAlarm(msg, DRIVING_EVENTS[r.u8()]);
  },
  0x77: (r, { a }) => {
    while (r.remaining > 0) {
      const tire = r.u8();
      a[`tire${tire}SensorId`] = r.hex(3);
      a[`tire${tire}Pressure`] = (r.u16() & 0x3ff) / 40;
      a[`tire${tire}Temp`] = r.u8() - 50;
      a[`tire${tire}Status`] = r.u8();
    }
  },
  0x80: (r, { msg, bodyEnd }) => {
    // OBD sub-items, to the end of the body
    r.u8(); // content
    const obd = new Reader(r.buf, r.pos, bodyEnd, bodyEnd);
    readObdExtension(obd, msg);
    r.pos = obd.pos;
  },
  0x82: (r, { a }) => {
    a.power = r.u16() / 10;
  },
  0x91: (r, { a }) => {
    a.battery = r.u16() / 10;
    a.rpm = r.u16();
    a.obdSpeed = r.u8();
    a.throttle = Math.floor((r.u8() * 100) / 255);
    a.engineLoad = Math.floor((r.u8() * 100) / 255);
    a.coolantTemp = r.u8() - 40;
    r.u16();
    a.fuelConsumption = r.u16() / 100;
    r.skip(2 + 4 + 2);
    a.fuelUsed = r.u16() / 100;
  },
  0x94: (r, { a, length }) => {
    if (length > 0) a.vin = r.ascii(length);
  },
  0xa7: analogInputs,
  0xac: (r, { a }) => {
    a.odometer = r.u32();
  },
  0xbc: (r, { a, length }) => {
    a.driver = trimControl(r.ascii(length));
  },
  0xbd: (r, { a, length }) => {
    a.driverUniqueId = r.ascii(length);
  },
  0xd0: (r, { msg }) => {
    if (r.u32() & 8) addAlarm(msg, 'vibration');
  },
  0xd3: (r, { a }) => {
    a.power = r.u16() / 10;
  },
  0xd4: batteryOrDriver,
  0xe1: batteryOrDriver,
  0xe9: batteryOrDriver,
  0xd5: (r, { a, length }) => {
    if (length === 2) a.battery = r.u16() / 100;
    else {
      const count = r.u8();
      for (let i = 1; i <= count; i++) {
        a[`lock${i}Id`] = r.hex(5);
        a[`lock${i}Card`] = r.hex(5);
        a[`lock${i}Battery`] = r.u8();
        a[`lock${i}Locked`] = (r.u16() & 0x20) === 0;
      }
    }
  },
  0xda: (r, { a }) => {
    r.u16(); // string cut count
    const status = r.u8();
    a.string = (status & 1) !== 0;
    a.motion = (status & 4) !== 0;
    a.cover = (status & 8) !== 0;
  },
  0xe2: (r, { a, model }) => {
    if (model !== 'DT800') a.fuel = r.u32() / 10;
  },
  0xe3: (r, { a }) => {
    r.u8();
    a.batteryLevel = r.u8();
    a.battery = r.u16() / 100;
  },
  0xe4: (r, { a }) => {
    if (r.u8() === 0) a.charge = true;
    a.batteryLevel = r.u8();
  },
  0xe5: (r, { a, length }) => {
    if (length === 1) a.motion = r.u8() === 1;
  },
  0xe6: (r, { msg, a, length }) => {
    if (length >= 7 && r.buf.toString('latin1', r.pos, r.pos + 7) === '$OBD-RT') readObdRt(r.ascii(length), msg);
    else if (length >= 11 && length % 11 === 0) {
      while (r.remaining > 0) {
        const sensor = r.u8();
        r.skip(6); // MAC
        a[`temp${sensor}`] = customDouble(r);
        a[`humidity${sensor}`] = customDouble(r);
      }
    }
  },
  0xe7: (r, { msg, length }) => {
    if (length === 8) {
      const alarm = r.u16();
      if (alarm & 1) addAlarm(msg, 'vibration');
      if ((alarm >> 1) & 7) addAlarm(msg, 'sos');
    }
  },
  0xe8: (r, { msg, a, model }) => {
    if (JC_MODELS.has(model)) readJimiExtension(r, msg);
    else a.lockStatus = r.u24();
  },
  0xea: (r, { msg, length }) => {
    if (length > 2) readExternalSensors(r, msg);
  },
  0xeb: (r, { msg, length }) => {
    readEb(r, length, msg);
  },
  0xed: (r, { a, length }) => {
    a.card = trimControl(r.ascii(length));
  },
  0xee: (r, { msg, a, length }) => {
    if (length === 6) {
      a.rssi = r.u8();
      a.power = r.u16() / 1000;
      a.battery = r.u16() / 1000;
      msg.satellites = r.u8();
    }
  },
  0xf0: (r, { msg }) => {
    while (r.remaining > 0) {
      const mcc = r.u16();
      const mnc = r.u16();
      const cid = r.u32();
      const lac = r.u32();
      addCell(msg, { mcc, mnc, lac, cid, rssi: r.u8() });
    }
  },
  0xf1: (r, { a }) => {
    a.power = r.u32() / 1000;
  },
  0xf2: (r, { a, length }) => {
    a.versionFw = r.ascii(length);
  },
  0xf3: (r, { msg, model }) => {
    if (AOVX_MODELS.has(model)) readBleTags(r, msg);
    else readObdF3(r, msg);
  },
  0xec: wifiAccessPoints,
  0xf4: wifiAccessPoints,
  0xf5: (r, { a, length }) => {
    if (length === 2) a.illuminance = r.u16();
  },
  0xf6: (r, { msg, a, model, length }) => {
    if (!AOVX_MODELS.has(model) && length === 2) a.airPressure = r.u16();
    else if (!AOVX_MODELS.has(model) && length === 8) a.imei = r.hex(8).substring(1);
    else readSensorBlock(r, msg);
  },
  0xf7: (r, { a, length }) => {
    if (length === 2) a.humidity = r.u16() / 10;
    else {
      a.battery = r.u32() / 1000;
      if (length >= 5) {
        const status = r.u8();
        if (status === 2 || status === 3) a.charge = true;
      }
      if (length >= 6) a.batteryLevel = r.u8();
    }
  },
  0xf8: (r, { a, model }) => {
    if (AOVX_MODELS.has(model)) {
      r.u8(); // working mode
      r.skip(8); // IMEI
      a.iccid = r.hex(10);
    } else if (model === 'C5' || model === 'C5L') a.steps = r.u16();
    else a.temp2 = r.u16() / 10 - 50;
  },
  0xf9: (r, { a }) => {
    const mask = r.u16();
    if (mask & 1) r.skip(4); // GNSS age
    if (mask & 2) r.skip(4); // ACC-on time
    if (mask & 4) a.hdop = r.u16() / 10;
    if (mask & 8) r.skip(6); // GNSS time
    if (mask & 0x20) r.skip(8); // intervals
    if (mask & 0x40) {
      a.temp3 = r.i16() / 10;
      r.skip(4);
    }
  },
  0xfb: (r, { a, length }) => {
    a.container = r.ascii(length);
  },
  0xfc: (r, { a }) => {
    a.geofence = r.u8();
  },
  0xfe: (r, { msg, a, length }) => {
    if (length === 1) a.batteryLevel = r.u8();
    else if (length === 2) a.power = r.u16() / 10;
    else if (length === 4) a.odometer = r.u32();
    else {
      if (r.u8() === 0x7c) {
        while (r.remaining > 1) {
          const type = r.u8();
          const len = r.u8();
          if (type === 0x01) {
            const alarms = r.u32();
            if (alarms & 1) addAlarm(msg, 'hardAcceleration');
            if (alarms & 2) addAlarm(msg, 'hardBraking');
            if (alarms & 4) addAlarm(msg, 'hardCornering');
            if (alarms & 8) addAlarm(msg, 'accident');
            if (alarms & 0x10) addAlarm(msg, 'tampering');
          } else r.skip(len);
        }
      }
      if (r.remaining > 0) a.batteryLevel = r.u8();
    }
  },
};

/** ADAS (0x64), DSM (0x65), TPMS (0x66) and BSD (0x67) objects with the fields of the active-safety standard (T/JSATL12). */
function readSafetyAlarm(
  r: Reader,
  length: number,
  kind: 'adas' | 'dsm' | 'tpms' | 'bsd',
  c: LocationContext,
): Record<string, unknown> {
  const o: Record<string, unknown> = { alarmId: r.u32(), alarmFlag: r.u8() };
  if (kind === 'adas') {
    o.alarmType = r.u8();
    o.alarmLevel = r.u8();
    o.frontVehicleSpeed = r.u8();
    o.frontDistance = r.u8();
    o.deviationType = r.u8();
    o.roadSignType = r.u8();
    o.roadSignData = r.u8();
  } else if (kind === 'dsm') {
    o.alarmType = r.u8();
    o.alarmLevel = r.u8();
    o.tiredValue = r.u8();
    r.skip(4); // reserved
  } else if (kind === 'bsd') {
    o.alarmType = r.u8();
  }
  o.speed = r.u8();
  o.altitude = r.u16();
  o.lat = r.u32() / 1e6;
  o.lon = r.u32() / 1e6;
  const t = readBcdTime(r, clockOffset(c.conn));
  if (Number.isFinite(t)) o.time = isoTime(t);
  o.vehicleStatus = r.u16();
  const id = readAlarmIdentification(r, kind === 'tpms' ? r.remaining - tpmsListLength(r) : r.remaining, c);
  if (id) o.alarmInfoFlag = id;
  if (kind === 'tpms' && r.remaining > 0) {
    const count = r.u8();
    const events: Record<string, number>[] = [];
    for (let i = 0; i < count && r.remaining >= 9; i++) {
      events.push({
        position: r.u8(),
        eventType: r.u16(),
        tirePressure: r.u16(),
        tireTemperature: r.u16(),
        batteryQuantity: r.u16(),
      });
    }
    o.events = events;
  }
  void length;
  return o;
}

/** Bytes of the tyre event list at the end of a TPMS item, found from its count byte. */
function tpmsListLength(r: Reader): number {
  // identification is 16 bytes (2013) or 40 (2019, 30-byte terminal id): the count byte follows it
  for (const idLength of [16, 40]) {
    const at = r.pos + idLength;
    if (at < r.stop && r.stop - at - 1 === r.buf[at] * 9) return r.stop - at;
  }
  return 0;
}

/**
 * The alarm identification number: terminal ID, BCD time, serial, attachment count, reserved. Formatted as
 * the active-safety standard describes alarmInfoFlag: `terminalId_timestamp_serial_attachments`.
 */
function readAlarmIdentification(r: Reader, available: number, c: LocationContext): string | undefined {
  let idLength: number;
  if (available === 16) idLength = 7;
  else if (available === 40) idLength = 30;
  else return undefined;
  const terminal = trimControl(r.ascii(idLength));
  const t = readBcdTime(r, clockOffset(c.conn));
  const serial = r.u8();
  const attachments = r.u8();
  r.skip(available - idLength - 8);
  return `${terminal}_${Number.isFinite(t) ? Math.floor(t / 1000) : 0}_${serial}_${attachments}`;
}

/** 0x80 sub-items: OBD values. */
function readObdExtension(r: Reader, msg: TrackerMessage): void {
  const a = msg.attributes;
  while (r.remaining >= 2) {
    const type = r.u8();
    const length = r.u8();
    const start = r.pos;
    const item = new Reader(r.buf, start, Math.min(r.stop, start + length), Math.min(r.stop, start + length));
    try {
      switch (type) {
        case 0x01:
          a.odometer = item.u32() * 100;
          break;
        case 0x02:
          a.fuel = item.u16() / 10;
          break;
        case 0x03:
          a.obdSpeed = item.u16() / 10;
          break;
        case 0x56:
          item.u8();
          a.batteryLevel = item.u8();
          break;
        case 0x61:
          a.power = item.u16() / 100;
          break;
        case 0x69:
          a.battery = item.u16() / 100;
          break;
        case 0x80:
          a.obdSpeed = item.u8();
          break;
        case 0x81:
          a.rpm = item.u16();
          break;
        case 0x82:
          a.power = item.u16() / 10;
          break;
        case 0x83:
          a.engineLoad = item.u8();
          break;
        case 0x84:
          a.coolantTemp = item.u8() - 40;
          break;
        case 0x85:
          a.fuelConsumption = item.u16();
          break;
        case 0x86:
          a.intakeTemp = item.u8() - 40;
          break;
        case 0x87:
          a.intakeFlow = item.u16();
          break;
        case 0x88:
          a.intakePressure = item.u8();
          break;
        case 0x89:
          a.throttle = item.u8();
          break;
        case 0x8b:
          a.vin = item.ascii(17);
          break;
        case 0x8c:
          a.obdOdometer = item.u32() * 100;
          break;
        case 0x8d:
          a.tripOdometer = item.u16() * 1000;
          break;
        case 0x8e:
          a.fuel = item.u8();
          break;
        case 0xa0:
          a.dtcs = item.ascii(length).replace(/,/g, ' ');
          break;
        case 0xcc:
          a.iccid = item.ascii(20);
          break;
      }
    } catch (err) {
      if (!(err instanceof FrameTooShort)) throw err;
    }
    r.pos = Math.min(r.stop, start + length);
  }
}

/** `$OBD-RT,power,rpm,speed,throttle,load,coolant,fuel/h,fuel/100km,trip,odometer,tripFuel,fuelUsed` */
export function readObdRt(text: string, msg: TrackerMessage): void {
  const v = text.split(',');
  const a = msg.attributes;
  const num = (i: number) => (v[i] !== undefined && v[i] !== '' ? Number(v[i]) : undefined);
  const set = (key: NumericAttributeKey, i: number) => {
    const n = num(i);
    if (n !== undefined && Number.isFinite(n)) a[key] = n;
  };
  set('power', 1);
  set('rpm', 2);
  set('obdSpeed', 3);
  set('throttle', 4);
  set('engineLoad', 5);
  set('coolantTemp', 6);
  set('fuelConsumption', 7);
  set('fuelConsumption', 8);
  set('tripOdometer', 9);
  set('obdOdometer', 10);
  set('tripFuel', 11);
  set('fuelUsed', 12);
}

/** A signed integer byte plus a fraction byte (1/255). */
function customDouble(r: Reader): number {
  const whole = r.i8();
  const fraction = r.u8();
  const sign = whole !== 0 ? Math.sign(whole) : 1;
  return sign * (Math.abs(whole) + fraction / 255);
}

/** 0xE8 on Jimi (JC) models: typed extensions with status TLVs and event codes. */
function readJimiExtension(r: Reader, msg: TrackerMessage): void {
  const a = msg.attributes;
  const type = r.u16();
  switch (type) {
    case 0x2002:
      r.u8();
      a.uploadMode = r.u8();
      a.buffered = r.u8() === 1;
      return;
    case 0x2003: {
      r.u8();
      a.charge = r.u8() === 1;
      const status = r.u8();
      if (status >= 1 && status <= 6) a.batteryLevel = Math.floor((status * 100) / 6);
      a.battery = r.u16() / 100;
      a.rssi = r.u8();
      a.power = r.u16() / 100;
      return;
    }
    case 0x2005:
      r.u8();
      while (r.remaining >= 3) {
        const id = r.u16();
        const length = r.u8();
        const end = r.pos + length;
        if (id === 0x0001) a.battery = r.u16() / 100;
        else if (id === 0x0002) a.dataUsage = r.u32();
        else if (id === 0x0003) a.batteryLevel = r.u8();
        else if (id === 0x0004) a.charge = r.u8() === 0;
        else if (id === 0x0005) a.iccid = r.hex(10).substring(0, 19);
        else if (id === 0x0007) a.hdop = r.u16() / 10;
        else if (id === 0x2001) a.power = r.u16() / 10;
        r.pos = Math.min(end, r.stop);
      }
      return;
  }
  const event: Record<number, AlarmName> = {
    0x0001: 'fault',
    0x0400: 'hardAcceleration',
    0x0412: 'hardAcceleration',
    0x0401: 'hardBraking',
    0x0413: 'hardBraking',
    0x0402: 'hardCornering',
    0x0414: 'hardCornering',
    0x0403: 'overspeed',
    0x0405: 'accident',
    0x0416: 'accident',
    0x0417: 'accident',
    0x0406: 'vibration',
    0x0407: 'tow',
    0x0408: 'geofenceEnter',
    0x0409: 'geofenceExit',
    0x040c: 'door',
    0x0415: 'laneChange',
    0x0c01: 'sos',
    0x0c02: 'lowPower',
    0x0c05: 'general',
    0x0c0e: 'powerCut',
    0x0c0f: 'lowBattery',
    0x0c10: 'powerOff',
    0x0c12: 'tampering',
  };
  if (type === 0x0c03) msg.ignition = true;
  else if (type === 0x0c04) msg.ignition = false;
  else addAlarm(msg, event[type]);
}

/** 0xEA: external sensors. */
function readExternalSensors(r: Reader, msg: TrackerMessage): void {
  const a = msg.attributes;
  r.u8(); // info type
  while (r.remaining >= 2) {
    const type = r.u8();
    const length = r.u8();
    if (length > r.remaining) break;
    const end = r.pos + length;
    if (type === 0x11) {
      a.externalAlarms = r.u16();
      a.alarmThresholdType = r.u8();
    } else if (type === 0x13) a.externalIlluminance = r.u16();
    else if (type === 0x14) a.externalAirPressure = r.u16();
    else if (type === 0x15) a.externalHumidity = r.u16() / 10;
    else if (type === 0x16) a.externalTemp = r.u16() / 10 - 50;
    r.pos = end;
  }
}

/** 0xEB: cells, a time-zone string, or `{length, id}` sub-items. */
function readEb(r: Reader, length: number, msg: TrackerMessage): void {
  const a = msg.attributes;
  const first = length >= 2 ? (r.peek(0) << 8) | r.peek(1) : 0;
  if (first > 200 && (length - 3) % 5 === 0) {
    const mcc = r.u16();
    const mnc = r.u8();
    while (r.remaining > 0) addCell(msg, { mcc, mnc, lac: r.u16(), cid: r.u16(), rssi: r.u8() });
    return;
  }
  const bytes = r.buf.subarray(r.pos, r.stop);
  if (bytes.every((b) => b >= 32 || b === 13 || b === 10)) {
    a.timezone = r.buf.toString('utf8', r.pos, r.stop);
    return;
  }
  while (r.remaining >= 4) {
    const len = r.u16();
    const end = Math.min(r.stop, r.pos + len);
    const id = r.u16();
    switch (id) {
      case 0x0001:
        a.fuel1 = r.u16() / 10;
        break;
      case 0x0023:
        a.fuel2 = Number(r.ascii(6));
        break;
      case 0x002d:
        if (len === 6) a.power = r.u32() / 1000;
        else a.battery = r.u16() / 1000;
        break;
      case 0x0089: {
        const alarm = r.u32();
        if (!(alarm & 1)) addAlarm(msg, 'powerOff');
        if (!(alarm & 0x1000)) addAlarm(msg, 'removing');
        break;
      }
      case 0x00b2:
        a.iccid = r.hex(10).replace(/f+$/, '');
        break;
      case 0x00b9: {
        r.u8(); // count
        const wifi = r.ascii(len - 3).split(',');
        for (let i = 0; i + 1 < wifi.length; i += 2) addWifi(msg, { mac: wifi[i], rssi: Number(wifi[i + 1]) });
        break;
      }
      case 0x00c5: {
        const alarm = r.u32();
        if (!(alarm & 0x40)) addAlarm(msg, 'vibration');
        const motion = (alarm >>> 23) & 3;
        if (motion === 0) a.motion = true;
        else if (motion === 1) a.motion = false;
        break;
      }
      case 0x00c6: {
        const battery = r.u8();
        if (battery === 3 || battery === 4) addAlarm(msg, 'lowBattery');
        a.batteryAlarm = battery;
        break;
      }
      case 0x00ce:
        a.power = r.u16() / 100;
        break;
      case 0x00d8:
        addCell(msg, { mcc: r.u16(), mnc: r.u8(), lac: r.u16(), cid: r.u32() });
        break;
      case 0x00a8:
      case 0x00e1:
        a.batteryLevel = r.u8();
        break;
    }
    r.pos = end;
  }
}

/** 0xF3 on AOVX models: BLE tags. */
function readBleTags(r: Reader, msg: TrackerMessage): void {
  const a = msg.attributes;
  const mask = r.u8();
  let i = 0;
  while (r.remaining > 0) {
    i++;
    a[`tag${i}Mac`] = r.hex(6);
    a[`tag${i}Rssi`] = r.i8();
    if (mask & 1) a[`tag${i}Name`] = trimControl(r.ascii(10));
    if (mask & 2) r.skip(2);
    if (mask & 4) a[`tag${i}Battery`] = r.u16() / 1000;
    if (mask & 8) a[`tag${i}Temp`] = r.i16() / 10;
    if (mask & 0x10) a[`tag${i}Humidity`] = r.i16() / 10;
    if (mask & 0x20) r.skip(6);
    if (mask & 0x40) r.skip(2);
    if (mask & 0x80) r.skip(2);
  }
}

/** 0xF3 elsewhere: OBD values `{WORD id, BYTE length}`. */
function readObdF3(r: Reader, msg: TrackerMessage): void {
  const a = msg.attributes;
  while (r.remaining >= 3) {
    const type = r.u16();
    const length = r.u8();
    const end = Math.min(r.stop, r.pos + length);
    switch (type) {
      case 0x0002:
        a.obdSpeed = r.u16() / 10;
        break;
      case 0x0003:
        a.rpm = r.u16();
        break;
      case 0x0004:
        a.power = r.u16() / 1000;
        break;
      case 0x0005:
        a.obdOdometer = r.u32() * 100;
        break;
      case 0x0007:
        a.fuelConsumption = r.u16() / 10;
        break;
      case 0x0008:
        a.engineLoad = r.u16() / 10;
        break;
      case 0x0009:
        a.coolantTemp = r.u16() - 40;
        break;
      case 0x000b:
        a.intakePressure = r.u16();
        break;
      case 0x000c:
        a.intakeTemp = r.u16() - 40;
        break;
      case 0x000d:
        a.intakeFlow = r.u16();
        break;
      case 0x000e:
        a.throttle = Math.floor((r.u16() * 100) / 255);
        break;
      case 0x0050:
        a.vin = r.ascii(17).replace(/\0/g, '');
        break;
      case 0x0051:
        if (length > 0) a.cvn = r.hex(length);
        break;
      case 0x0052:
        if (length > 0) a.calid = r.ascii(length).replace(/\0/g, '');
        break;
      case 0x0100:
        a.tripOdometer = r.u16() / 10;
        break;
      case 0x0102:
        a.tripFuel = r.u16() / 10;
        break;
      case 0x0112:
        a.hardAccelerationCount = r.u16();
        break;
      case 0x0113:
        a.hardDecelerationCount = r.u16();
        break;
      case 0x0114:
        a.hardCorneringCount = r.u16();
        break;
    }
    r.pos = end;
  }
}

/** 0xF6 sensor block: event, mask, light, temperature, humidity, g-sensor, air pressure. */
function readSensorBlock(r: Reader, msg: TrackerMessage): void {
  const a = msg.attributes;
  const event = r.u8();
  a.event = event;
  if (event === 2) a.motion = true;
  const mask = r.u8();
  if (mask & 1) a.lightSensor = r.u16();
  if (mask & 2) a.temp1 = r.i16() / 10;
  if (mask & 4) a.humidity = r.i16() / 10;
  if (mask & 8) a.gSensor = `[${r.i16()},${r.i16()},${r.i16()}]`;
  if (mask & 0x10) r.skip(10);
  if (mask & 0x20) a.airPressure = r.u16();
}
