'use strict';
// A GT06 0x12 location frame from chosen values, laid out as in docs/protocols/gt06.md (our own
// builder for tests that need positions along a path; the decoder is checked against real frames elsewhere).
const { crc16 } = require('./crc');

/** @param {{lat:number, lon:number, speed?:number, course?:number, time:Date|string, ignition?:boolean}} p */
function gt06Position(p, serial = 1) {
  const t = new Date(p.time);
  const body = Buffer.alloc(29);
  let o = 0;
  body[o++] = 0x12;
  for (const v of [
    t.getUTCFullYear() - 2000,
    t.getUTCMonth() + 1,
    t.getUTCDate(),
    t.getUTCHours(),
    t.getUTCMinutes(),
    t.getUTCSeconds(),
  ])
    body[o++] = v;
  body[o++] = 0xc8; // GPS info length 12, 8 satellites
  body.writeUInt32BE(Math.round(Math.abs(p.lat) * 1800000), o);
  body.writeUInt32BE(Math.round(Math.abs(p.lon) * 1800000), o + 4);
  o += 8;
  body[o++] = p.speed ?? 0;
  let flags = ((p.course ?? 0) & 0x3ff) | 0x1000; // fix valid
  if (p.lat >= 0) flags |= 0x400; // north
  if (p.lon < 0) flags |= 0x800; // west
  if (p.ignition !== undefined) flags |= 0x4000 | (p.ignition ? 0x8000 : 0);
  body.writeUInt16BE(flags, o);
  o += 2;
  body.writeUInt16BE(460, o); // MCC
  body[o + 2] = 0; // MNC
  body.writeUInt16BE(0x2866, o + 3); // LAC
  body.writeUIntBE(0x0f6d, o + 5, 3); // cell
  o += 8;
  body.writeUInt16BE(serial, o);
  const f = Buffer.concat([Buffer.from([0x78, 0x78, body.length + 2]), body, Buffer.alloc(4)]);
  f.writeUInt16BE(crc16(f.subarray(2, f.length - 4)), f.length - 4);
  f[f.length - 2] = 0x0d;
  f[f.length - 1] = 0x0a;
  return f;
}

/** A GT06 0x15 answer frame carrying `text` and the server flag of the command it answers. */
function gt06Answer(flag, text, serial = 0x20) {
  const body = Buffer.concat([
    Buffer.from([0x15, 4 + text.length]),
    Buffer.from(flag.toString(16).padStart(8, '0'), 'hex'),
    Buffer.from(text, 'ascii'),
    Buffer.from([0x00, 0x02, serial >> 8, serial & 0xff]),
  ]);
  const frame = Buffer.concat([Buffer.from([0x78, 0x78, body.length + 2]), body, Buffer.alloc(4)]);
  frame.writeUInt16BE(crc16(frame.subarray(2, frame.length - 4)), frame.length - 4);
  frame[frame.length - 2] = 0x0d;
  frame[frame.length - 1] = 0x0a;
  return frame;
}

/** The 0x80 command frames in what a GT06 device received: [{flag, text}], in order. */
function gt06Commands(received) {
  const out = [];
  let i = 0;
  while (i + 5 <= received.length) {
    if (received[i] !== 0x78 || received[i + 1] !== 0x78) {
      i++;
      continue;
    }
    const end = i + 5 + received[i + 2];
    if (received[i + 3] === 0x80 && end <= received.length) {
      const commandLength = received[i + 4];
      out.push({
        flag: received.readUInt32BE(i + 5),
        text: received.subarray(i + 9, i + 5 + commandLength).toString('latin1'),
      });
    }
    i = end;
  }
  return out;
}

/** A GT06 0x13 heartbeat with the terminal-info byte `info` (0x22: ACC on + SOS in bits 3-5), voltage 4, GSM 4. */
function gt06Heartbeat(info, serial) {
  const f = Buffer.from([
    0x78,
    0x78,
    0x0a,
    0x13,
    info,
    0x04,
    0x04,
    0x00,
    0x02,
    serial >> 8,
    serial & 0xff,
    0,
    0,
    0x0d,
    0x0a,
  ]);
  f.writeUInt16BE(crc16(f.subarray(2, 11)), 11);
  return f;
}

module.exports = { gt06Position, gt06Heartbeat, gt06Answer, gt06Commands };
