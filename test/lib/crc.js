'use strict';
// An independent CRC-16/X-25 (bitwise, no table) for building test frames; check value 0x906E.
function crc16(buf) {
  let crc = 0xffff;
  for (const b of buf) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return ~crc & 0xffff;
}
if (crc16(Buffer.from('123456789')) !== 0x906e) throw new Error('crc16 helper is wrong');
module.exports = { crc16 };
