/**
 * What a GT06 device sends, and the acknowledgements it must get back (docs/protocols/gt06.md): the
 * simulator's side of the protocol, written from the device's point of view.
 */
import { utcDateFields } from '../common/time';
import { crc16x25 } from '../common/checksum';
import type { DeviceProtocol, Fix } from '../common/device';

function frame(type: number, content: number[] | Buffer, serial: number): Buffer {
  const body = Buffer.from(content);
  const f = Buffer.alloc(3 + 1 + body.length + 2 + 2 + 2);
  f[0] = 0x78;
  f[1] = 0x78;
  f[2] = 1 + body.length + 2 + 2;
  f[3] = type;
  body.copy(f, 4);
  f.writeUInt16BE(serial & 0xffff, 4 + body.length);
  f.writeUInt16BE(crc16x25(f, 2, 6 + body.length), 6 + body.length);
  f[f.length - 2] = 0x0d;
  f[f.length - 1] = 0x0a;
  return f;
}

function ack(type: number, serial: number): Buffer {
  return frame(type, [], serial);
}

function dateGps(fix: Fix): number[] {
  const lat = Math.round(Math.abs(fix.lat) * 1800000);
  const lon = Math.round(Math.abs(fix.lon) * 1800000);
  // course/status: bit 12 fix, bit 10 north, bit 11 west, bit 14 ACC present, bit 15 ACC on
  const flags =
    (fix.course & 0x3ff) |
    0x1000 |
    (fix.lat >= 0 ? 0x400 : 0) |
    (fix.lon < 0 ? 0x800 : 0) |
    0x4000 |
    (fix.ignition ? 0x8000 : 0);
  return [
    ...utcDateFields(fix.time),
    0xc0 | (fix.satellites & 0x0f),
    (lat >>> 24) & 0xff,
    (lat >>> 16) & 0xff,
    (lat >>> 8) & 0xff,
    lat & 0xff,
    (lon >>> 24) & 0xff,
    (lon >>> 16) & 0xff,
    (lon >>> 8) & 0xff,
    lon & 0xff,
    Math.min(255, Math.round(fix.speed)),
    flags >> 8,
    flags & 0xff,
  ];
}

const LBS = [0x01, 0x06, 0x01, 0x27, 0x10, 0x00, 0x4e, 0x21]; // MCC 262, MNC 1, LAC 10000, CID 20001

export const gt06Device: DeviceProtocol = {
  name: 'gt06',
  deviceId: (index) => `35${String(index).padStart(13, '0')}`,
  login(deviceId, serial) {
    const imei = Buffer.from(`0${deviceId}`, 'hex');
    const f = frame(0x01, [...imei], serial);
    return { frame: f, expect: ack(0x01, serial) };
  },
  position(fix, serial) {
    return { frame: frame(0x12, [...dateGps(fix), ...LBS], serial), expect: ack(0x12, serial) };
  },
  heartbeat(serial) {
    return { frame: frame(0x13, [0x46, 0x06, 0x04, 0x00, 0x02], serial), expect: ack(0x13, serial) };
  },
  alarm(fix, serial) {
    // 0x16 with LBS length byte and status block: terminal info (ACC, charging and GPS as in the heartbeat,
    // SOS in bits 3-5), alarm byte 0x01 (SOS)
    const content = [...dateGps(fix), 0x09, ...LBS, 0x66, 0x06, 0x04, 0x01, 0x02];
    return { frame: frame(0x16, content, serial), expect: ack(0x16, serial) };
  },
  /** GT06 replies are 10-byte frames: split the reply stream by the length byte. */
  replyLength(buf, offset) {
    if (buf.length - offset < 3) return 0;
    if (buf[offset] !== 0x78 || buf[offset + 1] !== 0x78) return -1;
    const n = buf[offset + 2] + 5;
    return buf.length - offset >= n ? n : 0;
  },
};
