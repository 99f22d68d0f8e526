'use strict';
// Traccar's JT600 and VT600 (Startek) conformance vectors (test/fixtures/traccar, see the NOTICE there).
const assert = require('node:assert/strict');
const { getCodec } = require('../dist/index.js');
const { loadVectors, makeConnection, emptyOutput, checkExpectation } = require('./lib/vectors');

/** Cases we decode differently on purpose, with the reason, by protocol and seq. */
const KNOWN_DIFFERENCES = {
  jt600: {},
  vt600: {},
};

for (const protocol of ['jt600', 'vt600']) {
  const V = loadVectors(protocol);
  const codec = getCodec(protocol);

  describe(`${protocol.toUpperCase()} conformance vectors (Traccar)`, () => {
    describe('decode', () => {
      const connections = new Map(); // one decoder per group
      const results = [];
      for (const v of V.decode) {
        const title = `#${v.seq} ${(v.text ?? v.hex).slice(0, 40).replace(/\r\n/g, ' ')} -> ${v.expect}${v.values ? ' ' + JSON.stringify(v.values) : ''}`;
        const why = KNOWN_DIFFERENCES[protocol][v.seq];
        if (why) {
          it.skip(`${title}: ${why}`, () => {});
          continue;
        }
        it(title, () => {
          if (!connections.has(v.group)) connections.set(v.group, makeConnection(codec));
          const conn = connections.get(v.group);
          const out = emptyOutput();
          codec.decode(Buffer.from(v.hex, 'hex'), conn, out);
          const problem = checkExpectation(out.messages, v);
          results.push(!problem);
          assert.equal(problem, null);
        });
      }
      it('passes at least 95% of the decode vectors', () => {
        const passed = results.filter(Boolean).length;
        assert.ok(passed / V.decode.length >= 0.95, `${passed}/${V.decode.length}`);
      });
    });

    describe('frame splitting', () => {
      const { unescapeText } = protocol === 'jt600' ? require('./lib/jt600') : { unescapeText: (b) => b };
      for (const f of V.frame) {
        it(f.name, () => {
          const stream = Buffer.from(f.stream, 'hex');
          const frames = [];
          let off = 0;
          while (off < stream.length) {
            const n = codec.frameLength(stream, off, stream.length);
            if (n === 0) break;
            if (n > 0) frames.push(unescapeText(stream.subarray(off, off + n)).toString('hex'));
            off += Math.abs(n);
          }
          assert.deepEqual(frames, f.frames);
        });
      }
    });

    describe('encode', () => {
      for (const e of V.encode) {
        it(e.name, () => {
          const conn = makeConnection(codec);
          conn.deviceId = e.attributes.uniqueId;
          const { uniqueId, ...params } = e.attributes;
          const { frames } = codec.encodeCommand({ type: e.command, ...params }, conn);
          assert.equal(frames[0].toString('hex'), e.hex);
        });
      }
    });
  });
}
