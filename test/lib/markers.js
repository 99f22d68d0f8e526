'use strict';
// Start markers of every protocol's framer, as hex: what an attacker repeats to make a framer search from every
// marker (issue 14). Broken and lying headers after the markers included. The linear-framing test and the
// adversarial benchmark (bench/adversarial.js) push 64 KiB of each, repeated, into sessions.

const ascii = (s) => Buffer.from(s, 'latin1').toString('hex');

/** Per protocol, the shapes that aim at its framer or its detector. */
const MARKER_SHAPES = {
  gt06: ['78', '7878', '7878ff', '787805', '7878ff0d', '7878ff0d0a', '7979ffff', '79790ff0', '79790ffa00000d0a'],
  jt808: ['7e', '7e00', '7e0200', 'e7', 'e70100', '7d', ascii('(0'), ascii('(740190311185,1,001,')],
  jt600: ['24', '243301210003100036', ascii('('), ascii('(3301210003,'), ascii('(1,')],
  vt600: [ascii('&&'), ascii('&&A'), ascii('&&A1,'), ascii('&&A4000,'), ascii('&&A1,1\r\n')],
  h02: [ascii('*HQ,'), ascii('*HQ'), ascii('*HQ,$'), '58', ascii('*HQ,1#')],
  gps103: [ascii('imei:'), ascii('##,imei:'), ascii('1234567890'), ascii('imei:1,'), ascii('1234567890imei:')],
  tk103: [ascii('(0'), ascii('(0$'), ascii('$('), ascii('(088047365460BR00'), ascii('(0,')],
  watch: [ascii('['), ascii('[SG*'), ascii('[SG*1*'), ascii('[SG*1*['), ascii('[SG*1*]'), ascii('[SG*123456789*')],
  teltonika: ['0000000000000100', '00000000000003f008', '000f', '000f3335', '0000', '00ff', '003f00'],
  osmand: [ascii('GET /'), ascii('POST /'), ascii('GET /a'), ascii('GET / HTTP/1.1\r'), '160301'],
};

/** Every shape once. */
const ALL_MARKER_SHAPES = [...new Set(Object.values(MARKER_SHAPES).flat())];

/** Deterministic random bytes (xorshift32), so that a measurement can be replayed. */
function randomBytes(n, seed) {
  const b = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

module.exports = { MARKER_SHAPES, ALL_MARKER_SHAPES, randomBytes };
