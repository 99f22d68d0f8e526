/**
 * A GPS103 device (Coban TK103B style) as tracker-sim plays it (see ../common/device.ts): `##,imei:...,A;`
 * answered `LOAD`, the IMEI heartbeat answered `ON`, `tracker` reports (no answer), `help me` answered
 * `**,imei:<IMEI>,E;`. Its clock runs at UTC+2, as a device set to local time does: reports carry that local
 * time next to the GPS time in UTC. Written from the protocol description, not the codec.
 */
import type { DeviceProtocol, Fix } from '../common/device';

const LOCAL_OFFSET_MINUTES = 120;
const two = (n: number) => String(n).padStart(2, '0');

function degreesMinutes(value: number, width: number): string {
  const abs = Math.abs(value);
  const degrees = Math.floor(abs);
  const minutes = (abs - degrees) * 60;
  return `${String(degrees).padStart(width, '0')}${minutes.toFixed(4).padStart(7, '0')}`;
}

function report(imei: string, keyword: string, fix: Fix): Buffer {
  const utc = new Date(fix.time);
  const local = new Date(fix.time + LOCAL_OFFSET_MINUTES * 60000);
  const localText = `${two(local.getUTCFullYear() % 100)}${two(local.getUTCMonth() + 1)}${two(local.getUTCDate())}${two(local.getUTCHours())}${two(local.getUTCMinutes())}${two(local.getUTCSeconds())}`;
  const fields = [
    `imei:${imei}`,
    keyword,
    localText,
    '',
    'F',
    `${two(utc.getUTCHours())}${two(utc.getUTCMinutes())}${two(utc.getUTCSeconds())}.000`,
    'A',
    degreesMinutes(fix.lat, 2),
    fix.lat < 0 ? 'S' : 'N',
    degreesMinutes(fix.lon, 3),
    fix.lon < 0 ? 'W' : 'E',
    (fix.speed / 1.852).toFixed(2),
    fix.course.toFixed(2),
    '',
    fix.ignition ? '1' : '0',
    '0',
  ];
  return Buffer.from(`${fields.join(',')};`, 'latin1');
}

const text = (s: string) => Buffer.from(s, 'latin1');

export const gps103Device: DeviceProtocol = {
  name: 'gps103',
  deviceId: (index) => `35958601${String(index).padStart(7, '0')}`,
  login: (imei) => ({ frame: text(`##,imei:${imei},A;`), expect: text('LOAD') }),
  position: (fix, _serial, imei) => ({ frame: report(imei, 'tracker', fix), expect: null }),
  heartbeat: (_serial, imei) => ({ frame: text(`${imei};`), expect: text('ON') }),
  alarm: (fix, _serial, imei) => ({ frame: report(imei, 'help me', fix), expect: text(`**,imei:${imei},E;`) }),
  /** Replies have no common delimiter: `LOAD`, `ON`, or a `**,...;` message. */
  replyLength(buf, offset) {
    const rest = buf.length - offset;
    const starts = (s: string) =>
      buf.toString('latin1', offset, offset + Math.min(rest, s.length)) === s.slice(0, rest);
    if (starts('LOAD')) return rest >= 4 ? 4 : 0;
    if (starts('ON')) return rest >= 2 ? 2 : 0;
    if (starts('**,')) {
      const end = buf.indexOf(0x3b, offset);
      return end < 0 ? 0 : end + 1 - offset;
    }
    return -1;
  },
};
