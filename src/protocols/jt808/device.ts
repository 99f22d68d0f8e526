/** A JT/T 808 terminal as tracker-sim plays it: what it sends and must get back (see ../common/device.ts). */
import { utcDateFields } from '../common/time';
import { toBcdByte } from '../common/bcd';
import { xor8 } from '../common/checksum';
import type { DeviceProtocol, Fix } from '../common/device';

function escape808(content: Buffer): Buffer {
  const out: number[] = [0x7e];
  for (const b of content) {
    if (b === 0x7e) out.push(0x7d, 0x02);
    else if (b === 0x7d) out.push(0x7d, 0x01);
    else out.push(b);
  }
  out.push(0x7e);
  return Buffer.from(out);
}

function unescape808(frame: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 1; i < frame.length - 1; i++) {
    if (frame[i] === 0x7d) out.push(frame[++i] === 1 ? 0x7d : 0x7e);
    else out.push(frame[i]);
  }
  return Buffer.from(out);
}

/** A 2013 message: ID, properties, 6-byte BCD phone, serial, body, XOR. */
function message808(msgId: number, phone: string, serial: number, body: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(msgId, 0);
  head.writeUInt16BE(body.length, 2);
  Buffer.from(phone.padStart(12, '0'), 'hex').copy(head, 4);
  head.writeUInt16BE(serial & 0xffff, 10);
  const content = Buffer.concat([head, body, Buffer.alloc(1)]);
  content[content.length - 1] = xor8(content, 0, content.length - 1);
  return escape808(content);
}

/** The platform's answer: its own serial is its choice, so replies are compared with that field zeroed. */
function reply808(msgId: number, phone: string, body: Buffer): Buffer {
  return message808(msgId, phone, 0, body);
}

function location808(fix: Fix, alarm: number): Buffer {
  const b = Buffer.alloc(28);
  b.writeUInt32BE(alarm, 0);
  b.writeUInt32BE((fix.ignition ? 1 : 0) | 2 | (fix.lat < 0 ? 4 : 0) | (fix.lon < 0 ? 8 : 0), 4);
  b.writeUInt32BE(Math.round(Math.abs(fix.lat) * 1e6), 8);
  b.writeUInt32BE(Math.round(Math.abs(fix.lon) * 1e6), 12);
  b.writeUInt16BE(30, 16);
  b.writeUInt16BE(Math.round(fix.speed * 10), 18);
  b.writeUInt16BE(fix.course, 20);
  // terminals report China time
  utcDateFields(fix.time + 8 * 3600000).forEach((v, i) => {
    b[22 + i] = toBcdByte(v);
  });
  return b;
}

function generalResponse(phone: string, serial: number, msgId: number): Buffer {
  const body = Buffer.alloc(5);
  body.writeUInt16BE(serial & 0xffff, 0);
  body.writeUInt16BE(msgId, 2);
  return reply808(0x8001, phone, body);
}

export const jt808Device: DeviceProtocol = {
  name: 'jt808',
  deviceId: (index) => `139${String(index).padStart(8, '0')}`,
  login(phone, serial) {
    const body = Buffer.concat([
      Buffer.from('002c012f', 'hex'),
      Buffer.from('SIMUL'),
      Buffer.from('TRACKER-SIM'.padEnd(20, '\0')),
      Buffer.from('T000001'),
      Buffer.from([1]),
      Buffer.from('SIM'),
    ]);
    const code = Buffer.from(phone.padStart(12, '0'), 'ascii');
    const answer = Buffer.alloc(3 + code.length);
    answer.writeUInt16BE(serial & 0xffff, 0);
    code.copy(answer, 3);
    return { frame: message808(0x0100, phone, serial, body), expect: reply808(0x8100, phone, answer) };
  },
  position(fix, serial, phone) {
    return {
      frame: message808(0x0200, phone, serial, location808(fix, 0)),
      expect: generalResponse(phone, serial, 0x0200),
    };
  },
  heartbeat(serial, phone) {
    return {
      frame: message808(0x0002, phone, serial, Buffer.alloc(0)),
      expect: generalResponse(phone, serial, 0x0002),
    };
  },
  alarm(fix, serial, phone) {
    return {
      frame: message808(0x0200, phone, serial, location808(fix, 1)),
      expect: generalResponse(phone, serial, 0x0200),
    };
  },
  replyLength(buf, offset) {
    if (buf[offset] !== 0x7e) return -1;
    const end = buf.indexOf(0x7e, offset + 1);
    return end < 0 ? 0 : end + 1 - offset;
  },
  matches(reply, expected) {
    const a = unescape808(reply);
    const b = unescape808(expected);
    if (a.length !== b.length || a.length < 13) return false;
    // everything but the platform's serial (bytes 10-11) and the check code that covers it
    return (
      a.subarray(0, 10).equals(b.subarray(0, 10)) &&
      a.subarray(12, a.length - 1).equals(b.subarray(12, b.length - 1)) &&
      xor8(a, 0, a.length - 1) === a[a.length - 1]
    );
  },
};
