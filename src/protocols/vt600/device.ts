/** A VT600 device as tracker-sim plays it (see ../common/device.ts). */
import { sum8 } from '../common/checksum';
import type { DeviceProtocol, Fix } from '../common/device';

function report(imei: string, event: number, fix: Fix): Buffer {
  const d = new Date(fix.time);
  const p = (n: number) => String(n).padStart(2, '0');
  const t = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
  const content = `${event},,${t},A,${fix.lat.toFixed(6)},${fix.lon.toFixed(6)},${fix.satellites},0.9,${Math.round(fix.speed)},${fix.course},30,1000,262|1|2710|00004E21,20,0000001C,${fix.ignition ? '02' : '00'},00,04A7|019C`;
  const body = `,${imei},000,${content}`;
  const text = `&&A${body.length}${body}`;
  const sum = sum8(Buffer.from(text, 'latin1'));
  return Buffer.from(`${text}${sum.toString(16).toUpperCase().padStart(2, '0')}\r\n`, 'latin1');
}

/** A standing fix for the frames that carry no simulated position (login, heartbeat). */
function parked(ignition: boolean): Fix {
  return { time: Date.now(), lat: 52.5, lon: 13.4, speed: 0, course: 0, satellites: 9, ignition };
}

export const vt600Device: DeviceProtocol = {
  name: 'vt600',
  deviceId: (index) => `86600${String(index).padStart(10, '0')}`,
  login: (imei) => ({ frame: report(imei, 0, parked(true)), expect: null }),
  position: (fix, _serial, imei) => ({ frame: report(imei, 0, fix), expect: null }),
  heartbeat: (_serial, imei) => ({ frame: report(imei, 0, parked(false)), expect: null }),
  alarm: (fix, _serial, imei) => ({ frame: report(imei, 1, fix), expect: null }),
  replyLength: () => -1, // VT600 reports are not answered
};
