'use strict';
// Independent JT600 helpers for tests.

/** Text-frame escapes undone: 3D 15 "(", 3D 14 ")", 3D 11 ",", 3D 00 "=" (binary frames untouched). */
function unescapeText(frame) {
  if (frame[0] !== 0x28) return frame;
  const map = { 0x15: 0x28, 0x14: 0x29, 0x11: 0x2c, 0x00: 0x3d };
  const out = [];
  for (let i = 0; i < frame.length; i++) {
    if (frame[i] === 0x3d && i + 1 < frame.length) {
      const v = map[frame[++i]];
      if (v !== undefined) out.push(v);
    } else out.push(frame[i]);
  }
  return Buffer.from(out);
}

/** XOR of the characters after "(" up to and including the comma before the JT600c check code. */
function textChecksum(sentenceWithoutCk) {
  let x = 0;
  for (let i = 1; i < sentenceWithoutCk.length; i++) x ^= sentenceWithoutCk.charCodeAt(i);
  return x.toString(16).toUpperCase().padStart(2, '0');
}

module.exports = { unescapeText, textChecksum };
