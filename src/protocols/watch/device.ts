/**
 * A kids' watch as tracker-sim plays it (docs/protocols/watch.md): LK heartbeats (answered LK), UD positions
 * (not answered) and AL alarms with the SOS bit (answered AL), all `[SG*<id>*<len>*<content>]`. Written from the
 * watch's side, independently of the codec.
 */
import type { DeviceProtocol, Fix } from '../common/device';
import { utcDateFields } from '../common/time';

const two = (n: number) => String(n).padStart(2, '0');

function frame(id: string, content: string): Buffer {
  return Buffer.from(`[SG*${id}*${content.length.toString(16).toUpperCase().padStart(4, '0')}*${content}]`, 'latin1');
}

function reply(id: string, content: string): Buffer {
  return Buffer.from(`[SG*${id}*${content.length.toString(16).padStart(4, '0')}*${content}]`, 'latin1');
}

/** UD / AL content: fix, then satellites, signal, battery, steps, rolls, status, one cell, no Wi-Fi. */
function report(type: string, fix: Fix, status: string): string {
  const [yy, mo, dd, hh, mi, ss] = utcDateFields(fix.time).map(two);
  const date = `${dd}${mo}${yy}`;
  const time = `${hh}${mi}${ss}`;
  return [
    type,
    date,
    time,
    'A',
    Math.abs(fix.lat).toFixed(6),
    fix.lat < 0 ? 'S' : 'N',
    Math.abs(fix.lon).toFixed(7),
    fix.lon < 0 ? 'W' : 'E',
    fix.speed.toFixed(2),
    fix.course.toFixed(1),
    '35.0',
    String(fix.satellites),
    '80',
    '90',
    '1200',
    '0',
    status,
    '1,1,262,1,21041,9067,121',
    '0',
    '0.0',
  ].join(',');
}

export const watchDevice: DeviceProtocol = {
  name: 'watch',
  deviceId: (index) => `88${String(index).padStart(8, '0')}`,
  login: (id) => ({ frame: frame(id, 'LK'), expect: reply(id, 'LK') }),
  position: (fix, _serial, id) => ({ frame: frame(id, report('UD', fix, '00000000')), expect: null }),
  heartbeat: (_serial, id) => ({ frame: frame(id, 'LK,1200,0,90'), expect: reply(id, 'LK') }),
  // status bit 16: SOS
  alarm: (fix, _serial, id) => ({ frame: frame(id, report('AL', fix, '00010000')), expect: reply(id, 'AL') }),
  replyLength(buf, offset) {
    if (buf[offset] !== 0x5b) return -1;
    const end = buf.indexOf(0x5d, offset + 1);
    return end < 0 ? 0 : end + 1 - offset;
  },
};
