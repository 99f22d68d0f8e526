/** A JT600 device (text sentences) as tracker-sim plays it (see ../common/device.ts). */
import type { DeviceProtocol, Fix } from '../common/device';

function u01(id: string, type: string, fix: Fix, serial: number, alarm?: number): Buffer {
  const d = new Date(fix.time);
  const p = (n: number) => String(n).padStart(2, '0');
  const date = `${p(d.getUTCDate())}${p(d.getUTCMonth() + 1)}${p(d.getUTCFullYear() % 100)}`;
  const time = `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
  const mph = (fix.speed / 1.609344).toFixed(2);
  const fields = [
    id,
    type,
    ...(alarm !== undefined ? [String(alarm)] : []),
    date,
    time,
    'T',
    Math.abs(fix.lat).toFixed(6),
    fix.lat < 0 ? 'S' : 'N',
    Math.abs(fix.lon).toFixed(6),
    fix.lon < 0 ? 'W' : 'E',
    mph,
    String(fix.course),
    String(fix.satellites),
    '90%',
    '00000000000001',
    '10133',
    '5173',
    '22',
    '100',
    String(serial % 1000),
  ];
  return Buffer.from(`(${fields.join(',')})`, 'latin1');
}

export const jt600Device: DeviceProtocol = {
  name: 'jt600',
  deviceId: (index) => `33${String(index).padStart(8, '0')}`,
  login: (id) => ({ frame: Buffer.from(`(${id},@JT)`), expect: null }),
  position: (fix, serial, id) => ({ frame: u01(id, 'U01', fix, serial), expect: Buffer.from('(S39)') }),
  heartbeat: (_serial, id) => ({ frame: Buffer.from(`(${id},@JT)`), expect: null }),
  alarm: (fix, serial, id) => ({ frame: u01(id, 'U06', fix, serial, 1), expect: Buffer.from('(S20)') }),
  replyLength(buf, offset) {
    if (buf[offset] !== 0x28) return -1;
    const end = buf.indexOf(0x29, offset + 1);
    return end < 0 ? 0 : end + 1 - offset;
  },
};
