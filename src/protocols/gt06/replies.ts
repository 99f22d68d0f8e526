/** Server-to-device frames that answer GT06 uploads (docs/protocols/gt06.md). */
import { utcDateFields } from '../common/time';
import { crc16x25 } from '../common/checksum';

/** Wraps `body` (protocol number .. serial) in a 7878 or 7979 frame with length, CRC and stop bytes. */
export function gt06Frame(body: Uint8Array, extended = false): Buffer {
  const head = extended ? 4 : 3;
  const out = Buffer.allocUnsafe(head + body.length + 4);
  const len = body.length + 2; // + CRC
  if (extended) {
    out[0] = 0x79;
    out[1] = 0x79;
    out.writeUInt16BE(len, 2);
  } else {
    out[0] = 0x78;
    out[1] = 0x78;
    out[2] = len;
  }
  out.set(body, head);
  const crcAt = head + body.length;
  out.writeUInt16BE(crc16x25(out, 2, crcAt), crcAt);
  out[crcAt + 2] = 0x0d;
  out[crcAt + 3] = 0x0a;
  return out;
}

/** Standard acknowledgement `78 78 05 <type> <serial> <crc> 0d 0a` (also `79 79 00 05 ...` when `extended`). */
export function ackFrame(type: number, serial: number, extended = false): Buffer {
  const head = extended ? 4 : 3;
  const out = Buffer.allocUnsafe(head + 7);
  if (extended) {
    out[0] = 0x79;
    out[1] = 0x79;
    out[2] = 0;
    out[3] = 5;
  } else {
    out[0] = 0x78;
    out[1] = 0x78;
    out[2] = 5;
  }
  out[head] = type;
  out[head + 1] = (serial >>> 8) & 0xff;
  out[head + 2] = serial & 0xff;
  const crc = crc16x25(out, 2, head + 3);
  out[head + 3] = crc >>> 8;
  out[head + 4] = crc & 0xff;
  out[head + 5] = 0x0d;
  out[head + 6] = 0x0a;
  return out;
}

/** Answer to the 0x8A time request: the server's UTC time, serial 0. */
export function timeReplyFrame(nowMs: number): Buffer {
  return gt06Frame(Uint8Array.of(0x8a, ...utcDateFields(nowMs), 0, 0));
}

/** Answer to the Wi-Fi types 0x17/0x69/...: `78 78 00 <type> <the request's 6 BCD time bytes> 0d 0a`, no serial or CRC. */
export function wifiReplyFrame(type: number, bcdTime: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(12);
  out[0] = 0x78;
  out[1] = 0x78;
  out[2] = 0;
  out[3] = type;
  out.set(bcdTime.subarray(0, 6), 4);
  out[10] = 0x0d;
  out[11] = 0x0a;
  return out;
}

/** Answer to the 0x2A address request: no address known (`NA&&NA&&0##`), in a 7979 0x97 frame, serial 0. */
export function addressReplyFrame(serial: number): Buffer {
  const text = Buffer.from('NA&&NA&&0##', 'ascii');
  const body = Buffer.alloc(1 + 1 + 4 + text.length + 2);
  body[0] = 0x97;
  body[1] = text.length;
  // 4 bytes server flag (0), then the text
  text.copy(body, 6);
  body.writeUInt16BE(serial, 6 + text.length);
  return gt06Frame(body, true);
}
