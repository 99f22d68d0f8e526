'use strict';
// Auto-detection against every protocol we speak: the first frame of every vector group of every protocol, fed to
// a session in auto mode, picks that protocol (the `$` and `(` first bytes shared by several protocols included).
const assert = require('node:assert/strict');
const { createSession, getCodec, PROTOCOLS: SPOKEN } = require('../../dist/index.js');
const { PROTOCOLS, wireOf } = require('../lib/conformance');
const { loadVectors } = require('../lib/vectors');

/** Frames that cannot open a connection, with the reason. */
const NOT_A_FIRST_FRAME = {
  // #13's checksum is wrong and its length field too (Traccar checks neither): damaged, so it may not pin
  vt600: (v) => v.seq === 13,
  // a Teltonika TCP connection opens with the IMEI login: a packet or a keep-alive byte before it names no device
  teltonika: (v) => v.transport === 'tcp' && (v.hex === 'ff' || v.hex.startsWith('00000000')),
};

/** Damaged frames (Traccar decodes them anyway) must not pin a connection; nor can a frame cut short. */
function usable(protocol, v, wire) {
  if (v.crcValid === false || v.checksumValid === false || v.lengthValid === false) return false;
  if (NOT_A_FIRST_FRAME[protocol]?.(v)) return false;
  const codec = getCodec(protocol);
  if (codec.decodeRequest) return true; // an HTTP request: Node's parser reads it, not a framer
  return codec.frameLength(wire, 0, wire.length) === wire.length;
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

describe('auto-detection of "(": JT/T 808 e-locks, TK103 and JT600 text (the rules of docs/protocols/tk103.md)', () => {
  /** Every `(` frame of the three protocols' vectors: decode cases and the frames of frame cases. */
  function parenFrames(protocol) {
    const { decode, frame } = loadVectors(protocol);
    const frames = decode.map((v) => wireOf(protocol, v));
    for (const f of frame) for (const hex of f.frames) frames.push(Buffer.from(hex, 'hex'));
    return frames.filter((b) => b[0] === 0x28 && getCodec(protocol).frameLength(b, 0, b.length) === b.length);
  }

  for (const protocol of ['jt808', 'tk103', 'jt600']) {
    it(`every "(" frame of the ${protocol} vectors opens a ${protocol} connection, whole or byte by byte`, () => {
      const frames = parenFrames(protocol);
      assert.ok(frames.length >= (protocol === 'tk103' ? 60 : 4), `${frames.length} frames`);
      const wrong = [];
      for (const wire of frames) {
        const whole = createSession();
        whole.push(wire);
        const split = createSession();
        for (let i = 0; i < wire.length; i++) split.push(wire.subarray(i, i + 1));
        if (whole.protocol !== protocol || split.protocol !== protocol)
          wrong.push(`${wire.toString('latin1', 0, 40)} -> ${whole.protocol ?? 'none'} / ${split.protocol ?? 'none'}`);
      }
      assert.deepEqual(wrong, []);
    });
  }

  const detected = (text) => {
    const s = createSession();
    s.push(Buffer.from(text, 'latin1'));
    return s.protocol ?? 'none';
  };

  it('rule 1 before JT600: an e-lock frame that also reads as a JT600 WLNET sentence is JT/T 808', () => {
    assert.equal(detected('(123456789012,1,001,WLNET,5,1)'), 'jt808');
    assert.equal(detected('(8054201973,1,168,WLNET,5,1)'), 'jt600');
  });

  it('rule 2 before JT600: a 10-digit ID with a two-capital code is the TK103 comma form', () => {
    assert.equal(detected('(3301210003,ZC20,291015,030413,3,362,65535,255)'), 'tk103');
    assert.equal(
      detected(
        '(3301210003,U01,040812,185302,T,22.564025,N,113.242329,E,5.21,152,9,32%,0000000000000,10133,5173,22,100,1)',
      ),
      'jt600',
    );
  });

  it('rule 4: IDs of 11 to 15 characters glued to the code; other "(" protocols stay unclaimed', () => {
    assert.equal(detected('(01602009983BR00160830V1855.7022S4817.8731W000.0002729000.0010000000L00000000)'), 'tk103');
    assert.equal(
      detected(
        '(880316890094910BP00XG00b600000000L00074b54S00000000R0C0F0014000100f0130531152205A0706.1395S11024.0965E000.0251.25)',
      ),
      'tk103',
    );
    for (const other of [
      '(867967021915915U1110A1701201500102238.1700N11401.9324E000264000000000009001790000000,&160401)',
      '(TLA,356917051001793,190118,103800,+12.98000,+77.60000,0,0,0,0,1,0,0,0,0)',
      '(861359037432331,0EF87,1,1,1,1)',
      '(000000001637868324027912356171116A2055.5709N07222.4366E000.0000000000.0000000000000)',
    ])
      assert.equal(detected(other), 'none', other);
  });

  it('a frame start that could still be any of them waits for more bytes, then decides', () => {
    const s = createSession();
    s.push(Buffer.from('(0880473654'));
    assert.equal(s.protocol, undefined);
    s.push(Buffer.from('60BR00151024A2555.3531S02855.3329E004.7055148276.1701000000L00009AA3)'));
    assert.equal(s.protocol, 'tk103');
  });
});
