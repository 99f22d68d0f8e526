/**
 * A Teltonika unit (an FMB-like vehicle tracker sending Codec 8) as tracker-sim plays it, over TCP and over UDP
 * (see ../common/device.ts). Over TCP it logs in with its IMEI (answered `01`) and each AVL packet is answered
 * with its record count; over UDP every datagram carries the IMEI and is answered with its packet ID, AVL packet
 * ID and record count. The SOS is a record of panic priority; the heartbeat is the `FF` keep-alive byte.
 */
import { crc16ibm } from '../common/checksum';
import type { DeviceProtocol, Fix } from '../common/device';

/** One Codec 8 record: GPS element, then ignition, movement and GSM level (1 byte), power (2), odometer (4). */
function record(fix: Fix, priority: number): Buffer {
  const r = Buffer.alloc(50);
  r.writeBigUInt64BE(BigInt(Math.round(fix.time)), 0);
  r[8] = priority;
  r.writeInt32BE(Math.round(fix.lon * 1e7), 9);
  r.writeInt32BE(Math.round(fix.lat * 1e7), 13);
  r.writeInt16BE(34, 17); // altitude, m
  r.writeUInt16BE(Math.round(fix.course) % 360, 19);
  r[21] = fix.satellites;
  r.writeUInt16BE(Math.round(fix.speed), 22);
  let at = 24;
  const put = (...bytes: number[]) => {
    for (const b of bytes) r[at++] = b;
  };
  put(0, 5); // event ID 0 (periodic), 5 elements
  put(3, 239, fix.ignition ? 1 : 0, 240, fix.speed > 0 ? 1 : 0, 21, 4);
  put(1, 66, 0x32, 0x00); // 12.8 V
  put(1, 16, 0x00, 0x01, 0xe2, 0x40); // 123456 m
  put(0);
  return r.subarray(0, at);
}

/** Codec ID, count, the records, count again. */
function avlData(records: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from([0x08, records.length]), ...records, Buffer.from([records.length])]);
}

function tcpPacket(records: Buffer[]): Buffer {
  const data = avlData(records);
  const f = Buffer.alloc(data.length + 12);
  f.writeUInt32BE(data.length, 4);
  data.copy(f, 8);
  f.writeUInt32BE(crc16ibm(data), f.length - 4);
  return f;
}

function count(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

const PARKED: Omit<Fix, 'time'> = { lat: 52.5, lon: 13.4, speed: 0, course: 0, satellites: 9, ignition: true };

export const teltonikaUdpDevice: DeviceProtocol = {
  name: 'teltonika',
  deviceId: (index) => `35209308${String(index).padStart(7, '0')}`,
  // every datagram names the device: the first position is its login
  login: (imei, serial) => teltonikaUdpDevice.position({ time: Date.now(), ...PARKED }, serial, imei),
  position: (fix, serial, imei) => datagram(imei, serial, record(fix, 0)),
  heartbeat: (serial, imei) => datagram(imei, serial, record({ time: Date.now(), ...PARKED, ignition: false }, 0)),
  alarm: (fix, serial, imei) => datagram(imei, serial, record(fix, 2)),
  // 00 05 · packet ID · 01 · AVL packet ID · count
  replyLength: (buf, offset) => (buf.length - offset < 7 ? 0 : buf[offset + 1] === 5 ? 7 : -1),
};

function datagram(imei: string, serial: number, rec: Buffer) {
  const data = avlData([rec]);
  const f = Buffer.alloc(8 + imei.length + data.length);
  f.writeUInt16BE(f.length - 2, 0);
  f.writeUInt16BE(serial & 0xffff, 2); // packet ID
  f[4] = 0x01; // no channel-level acknowledgement wanted
  f[5] = serial & 0xff; // AVL packet ID
  f.writeUInt16BE(imei.length, 6);
  f.write(imei, 8, 'latin1');
  data.copy(f, 8 + imei.length);
  return { frame: f, expect: Buffer.from([0x00, 0x05, f[2], f[3], 0x01, f[5], 0x01]) };
}

export const teltonikaDevice: DeviceProtocol = {
  name: 'teltonika',
  deviceId: teltonikaUdpDevice.deviceId,
  login: (imei) => {
    const f = Buffer.alloc(2 + imei.length);
    f.writeUInt16BE(imei.length);
    f.write(imei, 2, 'latin1');
    return { frame: f, expect: Buffer.from([0x01]) };
  },
  position: (fix) => ({ frame: tcpPacket([record(fix, 0)]), expect: count(1) }),
  heartbeat: () => ({ frame: Buffer.from([0xff]), expect: null }),
  alarm: (fix) => ({ frame: tcpPacket([record(fix, 2)]), expect: count(1) }),
  /** `01` / `00` after the login; a 4-byte record count; a command packet (length at offset 4, plus 12). */
  replyLength: (buf, offset) => {
    const available = buf.length - offset;
    if (buf[offset] === 0x01) return 1;
    if (available < 4) return buf[offset] === 0 ? 0 : -1;
    if (buf.readUInt32BE(offset) !== 0) return buf[offset] === 0 && buf[offset + 1] === 0 ? 4 : -1;
    return available < 8 ? 0 : buf.readUInt32BE(offset + 4) + 12;
  },
  udp: teltonikaUdpDevice,
};
