/**
 * iStartek VT600 decoding (docs/protocols/vt600.md): `000` position and event reports, `710`
 * serial/CAN data, and command results for every other code. The devices expect no acknowledgement.
 */
import { addAlarm, newMessage, reportError, type Connection, type DecodeOutput } from '../codec';
import { sum8 } from '../common/checksum';
import { pruneAttributes, setDeviceTime } from '../common/record';
import { vt600Answer } from './commands';
import { digitsTime } from '../common/time';
import type { TrackerMessage } from '../../types';
import type { AlarmName, NumericAttributeKey } from '../../vocabulary';
import { checksumAt } from './frame';

/** VT600 sessions keep nothing between frames beyond the device ID the session holds. */
export type Vt600State = Record<string, never>;

/** Event codes that are alarms. 53 is a driver ID swipe, kept as an event. */
const EVENT_ALARMS: Record<number, AlarmName> = {
  1: 'sos',
  5: 'door',
  6: 'door',
  17: 'lowPower',
  18: 'powerCut',
  19: 'powerRestored',
  39: 'hardAcceleration',
  40: 'hardBraking',
  41: 'hardCornering',
};

const HEADER = /^&&.(\d+),(\d+),([0-9A-Fa-f]{3}),/;

export function decodeVt600Frame(frame: Buffer, conn: Connection<Vt600State>, out: DecodeOutput): void {
  const head = HEADER.exec(frame.toString('latin1', 0, Math.min(frame.length, 48)));
  const at = checksumAt(frame);
  if (!head || at < head[0].length) {
    reportError(out, conn, 'malformed', 'VT600 frame without a valid header', frame);
    return;
  }
  const expected = parseInt(frame.toString('latin1', at, at + 2), 16);
  if (expected !== sum8(frame, 0, at)) {
    reportError(out, conn, 'checksum', 'VT600 checksum mismatch', frame);
    if (conn.options.strictChecksum) return;
  }
  const declared = Number(head[1]);
  const commaAfterLength = head[0].indexOf(',');
  if (commaAfterLength + declared !== at)
    reportError(
      out,
      conn,
      'length',
      `VT600 length field says ${declared}, frame carries ${at - commaAfterLength}`,
      frame,
    );

  conn.deviceId = head[2];
  const code = head[3].toUpperCase();
  const content = frame.toString('latin1', head[0].length, at);
  if (code === '000') {
    const m = decodePosition(content, conn);
    if (m) out.messages.push(m);
    else reportError(out, conn, 'malformed', 'VT600 000 report with missing fields', frame);
  } else if (code === '710') {
    out.messages.push(decodeSerial(content, conn));
  } else {
    const m = newMessage(conn, 'result');
    m.attributes.commandCode = code;
    m.attributes.result = content;
    out.messages.push(m);
    out.answers.push(vt600Answer(code, content));
  }
}

const num = (s: string | undefined) =>
  s !== undefined && s !== '' && Number.isFinite(Number(s)) ? Number(s) : undefined;
const hex = (s: string | undefined) => (s !== undefined && /^[0-9A-Fa-f]+$/.test(s) ? parseInt(s, 16) : undefined);

/** `000`: event, event data, time, fix, position, cell, status words, voltages, then optional fields. */
function decodePosition(content: string, conn: Connection<Vt600State>): TrackerMessage | undefined {
  const f = content.split(',');
  if (f.length < 18) return undefined;
  const m = newMessage(conn, 'position');
  const a = m.attributes;
  const event = num(f[0]);
  if (event !== undefined) {
    a.event = event;
    if (event === 53) a.driverUniqueId = f[1];
    else addAlarm(m, EVENT_ALARMS[event]);
  }
  const t = f[2];
  if (t.length === 12) {
    const ms = digitsTime(t.slice(0, 6), t.slice(6), 'ymd');
    setDeviceTime(m, ms);
  }
  m.valid = f[3] === 'A';
  const lat = num(f[4]);
  const lon = num(f[5]);
  if (lat === undefined || lon === undefined) return undefined;
  m.lat = lat;
  m.lon = lon;
  m.satellites = num(f[6]) ?? 0;
  a.hdop = num(f[7]);
  m.speed = num(f[8]) ?? 0; // km/h
  m.course = num(f[9]) ?? 0;
  m.altitude = num(f[10]) ?? 0;
  a.odometer = num(f[11]);
  const cell = f[12].split('|');
  if (cell.length === 4)
    m.network = {
      cellTowers: [
        {
          mcc: num(cell[0]) ?? 0,
          mnc: num(cell[1]) ?? 0,
          lac: hex(cell[2]) ?? 0,
          cid: hex(cell[3]) ?? 0,
          rssi: num(f[13]),
        },
      ],
    };
  const system = hex(f[14]);
  const input = hex(f[15]);
  const output = hex(f[16]);
  if (system !== undefined) {
    m.systemStatus = system; // raw, for tracker-flags
    a.status = system;
  }
  if (input !== undefined) {
    m.inputs = input;
    a.input = input;
    m.ignition = (input & 2) !== 0; // input 2
    a.door = (input & 4) !== 0; // input 3
  }
  if (output !== undefined) {
    m.outputs = output;
    a.output = output;
  }
  const volts = f[17].split('|');
  a.power = (hex(volts[0]) ?? 0) / 100;
  a.battery = (hex(volts[1]) ?? 0) / 100;
  // further analog inputs: Traccar names them adc2, adc3...
  for (let i = 2; i < volts.length; i++) {
    const v = hex(volts[i]);
    if (v !== undefined) a[`adc${i}`] = v / 100;
  }
  // optional fields in order: extended flags, fuel, temperature, OBD, driver ID, engine hours
  const rest = f.slice(18);
  if (rest.length > 0 && rest[0] !== '') a.extendedFlags = num(rest[0]);
  if (rest.length > 1 && rest[1]) {
    for (const item of rest[1].split('|')) {
      const index = num(item.slice(0, 2));
      const value = hex(item.slice(2));
      if (index !== undefined && value !== undefined) a[`fuel${index}`] = value / 10;
    }
  }
  if (rest.length > 2 && rest[2]) {
    for (const item of rest[2].split('|')) {
      const index = num(item.slice(0, 2));
      const value = hex(item.slice(2));
      if (index !== undefined && value !== undefined)
        a[`temp${index}`] = ((value & 0x8000 ? -1 : 1) * (value & 0x7fff)) / 10;
    }
  }
  let k = 3;
  if (rest.length > k && rest[k].split('|').length === 9) {
    const o = rest[k].split('|');
    const set = (key: NumericAttributeKey, v: number | undefined) => {
      if (v !== undefined) a[key] = v;
    };
    set('rpm', num(o[0]));
    set('engineLoad', num(o[1]));
    set('intakeFlow', num(o[2]));
    set('airPressure', num(o[3]));
    const iat = num(o[4]);
    if (iat !== undefined) a.airTemp = iat - 40;
    set('throttle', num(o[5]));
    const coolant = num(o[6]);
    if (coolant !== undefined) a.coolantTemp = coolant - 40;
    const instant = num(o[7]);
    if (instant !== undefined) a.fuelConsumption = instant / 10;
    const level = /^(\d+)[%L]$/.exec(o[8] ?? '');
    if (level) a.fuel = Number(level[1]);
    k++;
  } else if (rest.length > k && rest[k] === '') k++;
  if (rest.length > k && rest[k].length >= 20) a.driverUniqueId = rest[k++];
  else if (rest.length > k && rest[k] === '') k++;
  if (rest.length > k) {
    const hours = num(rest[k]);
    if (hours !== undefined) a.hours = hours * 1000;
  }
  pruneAttributes(a);
  return m;
}

/** `710`: CR LF separated lines; T1 and T2 carry engine data. */
function decodeSerial(content: string, conn: Connection<Vt600State>): TrackerMessage {
  const m = newMessage(conn, 'status');
  const a = m.attributes;
  for (const line of content.split('\r\n')) {
    const v = line.split(',');
    const n = (i: number) => num(v[i]);
    const set = (key: NumericAttributeKey, value: number | undefined) => {
      if (value !== undefined) a[key] = value;
    };
    if (v[0] === 'T1') {
      set('rpm', n(2));
      set('fuel', n(4));
      set('coolantTemp', n(10));
      set('torque', n(12));
      set('power', n(14));
      set('oilTemp', n(16));
      set('throttle', n(18));
      set('oilPressure', n(23));
      const ignition = n(26);
      if (ignition !== undefined && ignition < 2) m.ignition = ignition > 0;
      set('catalystLevel', n(28));
    } else if (v[0] === 'T2') {
      const odometer = n(1);
      if (odometer !== undefined) a.odometer = odometer * 1000;
      set('hours', n(17));
      set('fuelConsumption', n(19));
      set('fuelUsed', n(21));
    }
  }
  return m;
}
