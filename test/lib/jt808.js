'use strict';
// Independent JT/T 808 helpers for tests: unescaping with the delimiters kept, XOR, frame building.

/** 7d 01 -> 7d, 7d 02 -> 7e (and the e7 variant's escapes) between the delimiters, which are kept. */
function unescapeFrame(frame) {
  const b = Buffer.from(frame);
  const alt = b[0] === 0xe7;
  const out = [b[0]];
  for (let i = 1; i < b.length - 1; i++) {
    if (!alt && b[i] === 0x7d) out.push(b[++i] === 1 ? 0x7d : 0x7e);
    else if (alt && b[i] === 0xe6) out.push(b[++i] === 1 ? 0xe6 : 0xe7);
    else if (alt && b[i] === 0x3e) out.push(b[++i] === 1 ? 0x3e : 0x3d);
    else out.push(b[i]);
  }
  if (b.length > 1) out.push(b[b.length - 1]);
  return Buffer.from(out);
}

function xor(buf) {
  let x = 0;
  for (const b of buf) x ^= b;
  return x;
}

/**
 * An escaped frame from its parts: message ID, terminal phone (12 digits, or 20 for 2019), serial, body,
 * optional sub-package [total, index].
 */
function frame({ msgId, phone = '013912345678', serial = 1, body = Buffer.alloc(0), version, pkg }) {
  const props = body.length | (version !== undefined ? 0x4000 : 0) | (pkg ? 0x2000 : 0);
  const head = [msgId >> 8, msgId & 0xff, props >> 8, props & 0xff];
  if (version !== undefined) head.push(version);
  const content = Buffer.concat([
    Buffer.from(head),
    Buffer.from(phone.padStart(version !== undefined ? 20 : 12, '0'), 'hex'),
    Buffer.from([serial >> 8, serial & 0xff]),
    pkg ? Buffer.from([pkg[0] >> 8, pkg[0] & 0xff, pkg[1] >> 8, pkg[1] & 0xff]) : Buffer.alloc(0),
    body,
  ]);
  const raw = Buffer.concat([content, Buffer.from([xor(content)])]);
  const out = [0x7e];
  for (const b of raw) {
    if (b === 0x7e) out.push(0x7d, 0x02);
    else if (b === 0x7d) out.push(0x7d, 0x01);
    else out.push(b);
  }
  out.push(0x7e);
  return Buffer.from(out);
}

/** Parses an escaped platform message: {msgId, props, version, id, serial, body, checksumOk}. */
function parse(escaped) {
  const m = unescapeFrame(escaped).subarray(1, -1);
  const msgId = m.readUInt16BE(0);
  const props = m.readUInt16BE(2);
  let at = 4;
  let version;
  if (props & 0x4000) version = m[at++];
  const idLength = version !== undefined ? 10 : 6;
  const id = m.subarray(at, at + idLength).toString('hex');
  at += idLength;
  const serial = m.readUInt16BE(at);
  at += 2;
  const body = m.subarray(at, m.length - 1);
  return {
    msgId,
    props,
    version,
    id,
    serial,
    body,
    bodyLength: props & 0x3ff,
    checksumOk: xor(m.subarray(0, m.length - 1)) === m[m.length - 1],
  };
}

/** Escapes an unescaped frame given as hex (delimiters included), as it travels on the wire. */
function escapeFrame(hexFrame) {
  const b = Buffer.from(hexFrame, 'hex');
  const out = [b[0]];
  for (let i = 1; i < b.length - 1; i++) {
    if (b[i] === 0x7e) out.push(0x7d, 0x02);
    else if (b[i] === 0x7d) out.push(0x7d, 0x01);
    else out.push(b[i]);
  }
  out.push(b[b.length - 1]);
  return Buffer.from(out);
}

/** A 0x0200 body: alarm and status words, coordinates, altitude, speed, course, BCD time, additional items. */
function locationBody({ alarm = 0, status = 3, lat = 22.5, lon = 114.25, time = '240102110405', items = [] } = {}) {
  const b = Buffer.alloc(28);
  b.writeUInt32BE(alarm >>> 0, 0);
  b.writeUInt32BE(status >>> 0, 4);
  b.writeUInt32BE(Math.round(lat * 1e6), 8);
  b.writeUInt32BE(Math.round(lon * 1e6), 12);
  b.writeUInt16BE(12, 16); // altitude
  b.writeUInt16BE(456, 18); // 45.6 km/h
  b.writeUInt16BE(90, 20);
  Buffer.from(time, 'hex').copy(b, 22);
  return Buffer.concat([b, ...items.map(([id, value]) => Buffer.concat([Buffer.from([id, value.length]), value]))]);
}

/** A 0x0200 location with the SOS bit, 22.502347 / 114.273118 at 2024-01-02 03:04:05 UTC, as serial `serial`. */
function sosLocation(serial) {
  return frame({
    msgId: 0x0200,
    serial,
    body: Buffer.from('000000010000000301575bcb06cfab5e00000000000024010211040530010c', 'hex'),
  });
}

module.exports = { unescapeFrame, escapeFrame, xor, frame, parse, locationBody, sosLocation };
