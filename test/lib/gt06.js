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

module.exports = { gt06Position };
