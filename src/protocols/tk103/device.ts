/**
 * A TK103 unit as tracker-sim plays it (docs/protocols/tk103.md): it enrols with BP05 (its IMEI and a position)
 * until answered AP05, reports BR00 positions, shakes hands with BP00 (answered AP01HSO) and raises BO01 alarms
 * (answered AS01). Written from the device's side, independently of the codec.
 */
import type { DeviceProtocol, Fix } from '../common/device';
import { utcDateFields } from '../common/time';

const two = (n: number) => String(n).padStart(2, '0');

/** `ddmm.mmmm` (or `dddmm.mmmm`) and the hemisphere letter. */
function dm(value: number, degreeDigits: number, positive: string, negative: string): string {
  const abs = Math.abs(value);
  const degrees = Math.floor(abs);
  const minutes = ((abs - degrees) * 60).toFixed(4).padStart(7, '0');
  return `${String(degrees).padStart(degreeDigits, '0')}${minutes}${value < 0 ? negative : positive}`;
}

/** The fixed-form position block: date, fix, coordinates, speed, time, course, state, mileage. */
function block(fix: Fix): string {
  const [yy, mo, dd, hh, mi, ss] = utcDateFields(fix.time).map(two);
  const date = `${yy}${mo}${dd}`;
  const time = `${hh}${mi}${ss}`;
  const speed = fix.speed.toFixed(1).padStart(5, '0').slice(-5);
  const course = fix.course.toFixed(2).padStart(6, '0');
  const state = `0${fix.ignition ? 1 : 0}000000`;
  return `${date}A${dm(fix.lat, 2, 'N', 'S')}${dm(fix.lon, 3, 'E', 'W')}${speed}${time}${course}${state}L00000000`;
}

const text = (s: string) => Buffer.from(s, 'latin1');
const imeiOf = (id: string) => `35418${id.slice(-10)}`;

export const tk103Device: DeviceProtocol = {
  name: 'tk103',
  deviceId: (index) => `0${String(3000000000 + index).padStart(11, '0')}`,
  login: (id) => ({
    frame: text(
      `(${id}BP05${imeiOf(id)}${block({ time: Date.now(), lat: 52.5, lon: 13.4, speed: 0, course: 0, satellites: 8, ignition: true })})`,
    ),
    expect: text(`(${id}AP05)`),
  }),
  position: (fix, _serial, id) => ({ frame: text(`(${id}BR00${block(fix)})`), expect: null }),
  heartbeat: (_serial, id) => ({ frame: text(`(${id}BP00${id}HSO)`), expect: text(`(${id}AP01HSO)`) }),
  alarm: (fix, _serial, id) => ({ frame: text(`(${id}BO012${block(fix)})`), expect: text(`(${id}AS012)`) }),
  replyLength(buf, offset) {
    if (buf[offset] !== 0x28) return -1;
    const end = buf.indexOf(0x29, offset + 1);
    return end < 0 ? 0 : end + 1 - offset;
  },
};
