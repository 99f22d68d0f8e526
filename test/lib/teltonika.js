'use strict';
// Teltonika frame builders for the tests, written from the protocol description (not from the codec).
const { crc16ibm } = require('./crc');

const IMEI = '356307042441013';

/** `00 LL` + the IMEI in ASCII. */
function login(imei = IMEI) {
  const f = Buffer.alloc(2 + imei.length);
  f.writeUInt16BE(imei.length);
  f.write(imei, 2, 'latin1');
  return f;
}

/**
 * One AVL record. `io`: { 1: {id: value}, 2: {...}, 4: {...}, 8: {...} } element groups by value size;
 * `variable` (Codec 8 Extended): { id: Buffer }. Codec 8 uses 1-byte counts and IDs, 8E 2-byte counts and IDs,
 * Codec 16 1-byte counts, 2-byte IDs, a 2-byte event ID and a generation type.
 */
function record({
  codec = 0x08,
  time = Date.UTC(2024, 0, 2, 3, 4, 5),
  priority = 0,
  lat = 52.5,
  lon = 13.4,
  altitude = 34,
  course = 90,
  satellites = 9,
  speed = 40,
  event = 0,
  generation = 5,
  io = {},
  variable = {},
} = {}) {
  const wide = codec === 0x8e;
  const wideId = wide || codec === 0x10;
  const parts = [];
  const u8 = (v) => parts.push(Buffer.from([v]));
  const u16 = (v) => {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v);
    parts.push(b);
  };
  const count = (n) => (wide ? u16(n) : u8(n));
  const id = (n) => (wideId ? u16(n) : u8(n));
  const head = Buffer.alloc(24);
  head.writeBigUInt64BE(BigInt(time));
  head[8] = priority;
  head.writeInt32BE(Math.round(lon * 1e7), 9);
  head.writeInt32BE(Math.round(lat * 1e7), 13);
  head.writeInt16BE(altitude, 17);
  head.writeUInt16BE(course, 19);
  head[21] = satellites;
  head.writeUInt16BE(speed, 22);
  parts.push(head);
  if (wideId) u16(event);
  else u8(event);
  if (codec === 0x10) u8(generation);
  const groups = [1, 2, 4, 8].map((size) => Object.entries(io[size] || {}));
  const variables = Object.entries(variable);
  count(groups.reduce((n, g) => n + g.length, 0) + variables.length);
  groups.forEach((entries, i) => {
    const size = [1, 2, 4, 8][i];
    count(entries.length);
    for (const [k, v] of entries) {
      id(Number(k));
      const b = Buffer.alloc(size);
      if (size === 8) b.writeBigUInt64BE(BigInt(v));
      else b.writeUIntBE(v, 0, size);
      parts.push(b);
    }
  });
  if (wide) {
    u16(variables.length);
    for (const [k, data] of variables) {
      u16(Number(k));
      u16(data.length);
      parts.push(data);
    }
  }
  return Buffer.concat(parts);
}

/** Codec ID, count, records, count. */
function avlData(codec, records) {
  return Buffer.concat([Buffer.from([codec, records.length]), ...records, Buffer.from([records.length])]);
}

/** A TCP packet: preamble, data length, data, CRC-16/IBM (`crc` overrides it). */
function packet(data, crc = crc16ibm(data)) {
  const f = Buffer.alloc(data.length + 12);
  f.writeUInt32BE(data.length, 4);
  data.copy(f, 8);
  f.writeUInt32BE(crc, f.length - 4);
  return f;
}

/** An AVL packet of `records` (record() options) in `codec`. */
function avl(records = [{}], codec = 0x08) {
  return packet(
    avlData(
      codec,
      records.map((r) => record({ codec, ...r })),
    ),
  );
}

/** A UDP datagram: length, packet ID, packet type, AVL packet ID, IMEI, AVL data. */
function datagram({ packetId = 0xcafe, avlId = 0x22, imei = IMEI, codec = 0x08, records = [{}] } = {}) {
  const data = avlData(
    codec,
    records.map((r) => record({ codec, ...r })),
  );
  const f = Buffer.alloc(8 + imei.length + data.length);
  f.writeUInt16BE(f.length - 2);
  f.writeUInt16BE(packetId, 2);
  f[4] = 0x01;
  f[5] = avlId;
  f.writeUInt16BE(imei.length, 6);
  f.write(imei, 8, 'latin1');
  data.copy(f, 8 + imei.length);
  return f;
}

/** A Codec 12 (or 14, with `imei`) message from the device: type, size, [IMEI], payload. */
function commandMessage(payload, { type = 0x06, imei } = {}) {
  const id = imei ? Buffer.from(imei.padStart(16, '0'), 'hex') : Buffer.alloc(0);
  const body = Buffer.concat([id, Buffer.from(payload)]);
  const head = Buffer.from([imei ? 0x0e : 0x0c, 1, type, 0, 0, 0, 0]);
  head.writeUInt32BE(body.length, 3);
  return packet(Buffer.concat([head, body, Buffer.from([1])]));
}

/** The record count a TCP AVL packet is acknowledged with. */
function ack(n) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b.toString('hex');
}

module.exports = { IMEI, login, record, avlData, packet, avl, datagram, commandMessage, ack };
