'use strict';
// Independent bitwise CRCs (no tables) for building test frames and checking the library's table-driven ones.

/** CRC-16/X-25 (GT06); check value 0x906E. */
function crc16(buf) {
  let crc = 0xffff;
  for (const b of buf) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return ~crc & 0xffff;
}

/** CRC-16/IBM a.k.a. ARC (Teltonika): poly 0x8005 reflected, init 0, no final XOR; check value 0xBB3D. */
function crc16ibm(buf) {
  let crc = 0;
  for (const b of buf) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

if (crc16(Buffer.from('123456789')) !== 0x906e) throw new Error('crc16 helper is wrong');
if (crc16ibm(Buffer.from('123456789')) !== 0xbb3d) throw new Error('crc16ibm helper is wrong');
module.exports = { crc16, crc16ibm };
