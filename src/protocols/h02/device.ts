/**
 * An H02 device (Sinotrack ST-901 style) as tracker-sim plays it (see ../common/device.ts): V1 text positions
 * answered `*HQ,<id>,V4,V1,<time>#`, 32-byte binary positions answered `*HQ,<id>,R12,<time>#`, V0 heartbeats
 * echoed, SOS as a V1 whose status word has bit 1 at 0. Written from the protocol description, not the codec.
 */
import { toBcd } from '../common/bcd';
import type { DeviceProtocol, Fix } from '../common/device';

const two = (n: number) => String(n).padStart(2, '0');

/** Status word in negative logic: all ones is "no alarm"; bit 10 is the ignition (1 = on). */
function statusWord(ignition: boolean, sos: boolean): number {
  let word = 0xffffffff;
  if (!ignition) word &= ~(1 << 10);
  if (sos) word &= ~(1 << 1);
  return word >>> 0;
}

/** Degrees as (D)DDMM.MMMM digits: `width` degree digits, minutes to 4 decimals. */
function degreesMinutes(value: number, width: number): string {
  const abs = Math.abs(value);
  let degrees = Math.floor(abs);
  let minutes = Math.round((abs - degrees) * 60 * 10000);
  if (minutes >= 600000) {
    degrees++;
    minutes -= 600000;
  }
  return `${String(degrees).padStart(width, '0')}${String(minutes).padStart(6, '0')}`;
}

function v1(id: string, fix: Fix, sos: boolean): Buffer {
  const d = new Date(fix.time);
  const lat = degreesMinutes(fix.lat, 2);
  const lon = degreesMinutes(fix.lon, 3);
  const fields = [
    'HQ',
    id,
    'V1',
    `${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`,
    'A',
    `${lat.slice(0, 4)}.${lat.slice(4)}`,
    fix.lat < 0 ? 'S' : 'N',
    `${lon.slice(0, 5)}.${lon.slice(5)}`,
    fix.lon < 0 ? 'W' : 'E',
    (fix.speed / 1.852).toFixed(2),
    String(Math.round(fix.course)),
    `${two(d.getUTCDate())}${two(d.getUTCMonth() + 1)}${two(d.getUTCFullYear() % 100)}`,
    statusWord(fix.ignition, sos).toString(16).toUpperCase(),
  ];
  return Buffer.from(`*${fields.join(',')}#`, 'latin1');
}

/** `$`, ID, time, date, latitude, battery, longitude + flags, speed + course, status, FF 00, serial. */
function binary(id: string, fix: Fix, serial: number): Buffer {
  const d = new Date(fix.time);
  const time = `${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`;
  const date = `${two(d.getUTCDate())}${two(d.getUTCMonth() + 1)}${two(d.getUTCFullYear() % 100)}`;
  // flags nibble: 2 valid, 4 north, 8 east
  const flags = 0x2 | (fix.lat >= 0 ? 0x4 : 0) | (fix.lon >= 0 ? 0x8 : 0);
  const knots = String(Math.min(999, Math.round(fix.speed / 1.852))).padStart(3, '0');
  const course = String(Math.round(fix.course) % 360).padStart(3, '0');
  const status = Buffer.alloc(4);
  status.writeUInt32BE(statusWord(fix.ignition, false));
  return Buffer.concat([
    Buffer.from([0x24]),
    toBcd(id, 5),
    Buffer.from(time + date + degreesMinutes(fix.lat, 2), 'hex'),
    Buffer.from([0x06]), // battery: 100 %
    Buffer.from(degreesMinutes(fix.lon, 3) + flags.toString(16) + knots + course, 'hex'),
    status,
    Buffer.from([0xff, 0x00, serial & 0xff]),
  ]);
}

const ack = (id: string, what: string) => Buffer.from(`*HQ,${id},${what}#`, 'latin1');

/** The time in a reply is the server's: compare everything else. */
const withoutTime = (b: Buffer) => b.toString('latin1').replace(/,\d{6}(?:\d{8})?#$/, ',#');

const PARKED: Omit<Fix, 'time'> = { lat: 52.5, lon: 13.4, speed: 0, course: 0, satellites: 9, ignition: false };

export const h02Device: DeviceProtocol = {
  name: 'h02',
  deviceId: (index) => `41${String(index).padStart(8, '0')}`,
  // H02 has no login: the first V1 report, which the server answers, opens the session
  login: (id) => ({ frame: v1(id, { ...PARKED, time: Date.now() }, false), expect: ack(id, 'V4,V1,00000000000000') }),
  position: (fix, serial, id) => ({ frame: binary(id, fix, serial), expect: ack(id, 'R12,000000') }),
  heartbeat: (_serial, id) => ({ frame: ack(id, 'V0'), expect: ack(id, 'V0') }),
  alarm: (fix, _serial, id) => ({ frame: v1(id, fix, true), expect: ack(id, 'V4,V1,00000000000000') }),
  replyLength(buf, offset) {
    if (buf[offset] !== 0x2a) return -1;
    const end = buf.indexOf(0x23, offset + 1);
    return end < 0 ? 0 : end + 1 - offset;
  },
  matches: (reply, expected) => withoutTime(reply) === withoutTime(expected),
};
