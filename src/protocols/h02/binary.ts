/**
 * H02 binary positions (docs/protocols/h02.md, "Binary positions"): `$`, a BCD ID of 5 bytes (8 on some units),
 * BCD time and date, BCD latitude, a battery code, BCD longitude with a flags nibble, BCD speed and course, the
 * status word, then fields whose layout depends on the frame's length.
 */
import { newMessage, reportError, type Connection, type DecodeOutput } from '../codec';
import { bcdByte, bcdNumber } from '../common/bcd';
import { h02BinaryLayout } from '../common/dollar';
import { setDeviceTime } from '../common/record';
import { deviceTime } from '../common/time';
import { knotsToKmh } from '../common/units';
import type { TrackerMessage } from '../../types';
import { applyStatus, deviceClockOffset, hhmmss, type H02State } from './status';

/**
 * Battery code: 1-3 and 4-6 are steps (the vendor's table: 2 = 10 %, 3 = 20 %, 4 = 60 %, 5 = 80 %, 6 = 100 %),
 * 7-100 a percentage; F1-F6 the same steps while charging.
 */
function battery(m: TrackerMessage, code: number): void {
  let step = code;
  if (code >= 0xf1 && code <= 0xf6) {
    m.attributes.charge = true;
    step = code - 0xf0;
  }
  if (step >= 1 && step <= 3) m.attributes.batteryLevel = (step - 1) * 10;
  else if (step >= 4 && step <= 6) m.attributes.batteryLevel = (step - 1) * 20;
  else if (step >= 7 && step <= 100) m.attributes.batteryLevel = step;
}

/** The fields after the status word, by frame size (5-byte ID frames only). */
function tail(m: TrackerMessage, frame: Buffer): void {
  if (frame.length === 45) {
    // 37-38 MCC, 39 MNC, 40-41 LAC, 42-43 CID (the MCCs of real frames match the countries of their positions)
    // (a cell ID of 0 is no cell)
    const mcc = frame.readUInt16BE(37);
    const cid = frame.readUInt16BE(42);
    if (mcc >= 200 && mcc < 800 && cid !== 0)
      m.network = { cellTowers: [{ mcc, mnc: frame[39], lac: frame.readUInt16BE(40), cid }] };
  } else if (frame.length === 46) {
    // the layout of the 6-field text variant: BCD odometer, fuel, altitude, LAC, CID
    m.attributes.odometer = bcdNumber(frame, 33, 37);
    m.attributes.fuel = frame.readUInt16BE(37);
    m.altitude = frame[41];
    m.network = { cellTowers: [{ mcc: 0, mnc: 0, lac: frame.readUInt16BE(42), cid: frame.readUInt16BE(44) }] };
  }
}

export function decodeBinary(frame: Buffer, conn: Connection<H02State>, out: DecodeOutput): void {
  const shift = h02BinaryLayout(frame, 0, frame.length);
  if (shift < 0 || frame.length < 29 + shift) {
    reportError(out, conn, 'malformed', 'H02 binary frame with fields out of range', frame);
    return;
  }
  const id = frame.toString('hex', 1, 6 + shift).slice(0, shift ? 15 : 10);
  conn.deviceId = id;
  // Sinotrack's own server acknowledges every binary frame; ST-901L units resend them until it does
  out.replies.push(Buffer.from(`*HQ,${id},R12,${hhmmss(conn.now)}#`, 'latin1'));

  const m = newMessage(conn, 'position');
  const at = (i: number) => frame[shift + i];
  const b = (i: number) => bcdByte(at(i));
  const time = deviceTime(2000 + b(11), b(10), b(9), b(6), b(7), b(8), deviceClockOffset(conn));
  setDeviceTime(m, time, conn.now);
  const lat = b(12) + (b(13) + (b(14) * 100 + b(15)) / 10000) / 60;
  const lonMinutes =
    (at(18) & 0x0f) * 10 + (at(19) >> 4) + ((at(19) & 0x0f) * 1000 + b(20) * 10 + (at(21) >> 4)) / 10000;
  const lon = b(17) * 10 + (at(18) >> 4) + lonMinutes / 60;
  const flags = at(21) & 0x0f;
  m.valid = (flags & 0x02) !== 0;
  m.lat = flags & 0x04 ? lat : -lat;
  m.lon = flags & 0x08 ? lon : -lon;
  m.speed = knotsToKmh(b(22) * 10 + (at(23) >> 4));
  m.course = (at(23) & 0x0f) * 100 + b(24);
  battery(m, at(16));
  applyStatus(m, frame.readUInt32BE(shift + 25));
  if (shift === 0) tail(m, frame);
  out.messages.push(m);
}
