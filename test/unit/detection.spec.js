'use strict';
// Auto-detection against every protocol we speak: the first frame of every vector group of every protocol, fed to
// a session in auto mode, picks that protocol (the `$` and `(` first bytes shared by several protocols included).
const assert = require('node:assert/strict');
const { createSession, getCodec, PROTOCOLS: SPOKEN } = require('../../dist/index.js');
const { PROTOCOLS, wireOf } = require('../lib/conformance');
const { loadVectors } = require('../lib/vectors');

/** Frames that cannot open a connection, with the reason. */
const NOT_A_FIRST_FRAME = {
  // JT/T 808 e-lock text frames: for now recognised only on a connection a binary frame identified
  jt808: (v) => v.hex.startsWith('28'),
  // #13's checksum is wrong and its length field too (Traccar checks neither): damaged, so it may not pin
  vt600: (v) => v.seq === 13,
  // a Teltonika TCP connection opens with the IMEI login: a packet or a keep-alive byte before it names no device
  teltonika: (v) => v.transport === 'tcp' && (v.hex === 'ff' || v.hex.startsWith('00000000')),
};

/** Damaged frames (Traccar decodes them anyway) must not pin a connection; nor can a frame cut short. */
function usable(protocol, v, wire) {
  if (v.crcValid === false || v.checksumValid === false || v.lengthValid === false) return false;
  if (NOT_A_FIRST_FRAME[protocol]?.(v)) return false;
  return getCodec(protocol).frameLength(wire, 0, wire.length) === wire.length;
}

describe('auto-detection: the first frame of every vector', () => {
  it('covers every protocol the product speaks', () => {
    assert.deepEqual([...PROTOCOLS].sort(), [...SPOKEN].sort());
  });

  for (const protocol of PROTOCOLS) {
    it(`${protocol}: every group's first frame is detected as ${protocol}`, () => {
      const firsts = new Map();
      for (const v of loadVectors(protocol).decode) if (!firsts.has(v.group)) firsts.set(v.group, v);
      // every case, not only group starts, when a protocol's groups are few
      const cases = firsts.size >= 5 ? [...firsts.values()] : loadVectors(protocol).decode;
      const wrong = [];
      let tried = 0;
      for (const v of cases) {
        const wire = wireOf(protocol, v);
        if (!usable(protocol, v, wire)) continue;
        tried++;
        const s = createSession({ transport: v.transport === 'udp' ? 'udp' : 'tcp' });
        s.push(wire);
        if (s.protocol !== protocol) wrong.push(`#${v.seq} -> ${s.protocol ?? 'none'}`);
      }
      assert.ok(tried > 0, 'no vector could open a connection');
      assert.deepEqual(wrong, []);
    });
  }
});
