'use strict';
// Traccar's JT/T 808 conformance vectors (test/fixtures/traccar/jt808.json, see the NOTICE there):
// 113 decode cases in order through one connection, 7 frame cases, 15 encode cases.
const assert = require('node:assert/strict');
const { getCodec, createSession } = require('../dist/index.js');
const { loadVectors, makeConnection, emptyOutput, checkExpectation } = require('./lib/vectors');
const { escape, unescape } = require('./lib/jt808');

const V = loadVectors('jt808');
const codec = getCodec('jt808');

/** Decode cases we decode differently on purpose, with the reason. */
const KNOWN_DIFFERENCES = {};

/** Encode cases where we send the standard message instead of Traccar's vendor one. */
const ENCODE_DIFFERENCES = {
  rebootDevice: 'we send the standard terminal control 0x8105 command 4 (reset), not the vendor 0x0310 parameter 0x23 (Traccar PR #5997 makes the same change)',
  positionPeriodic: 'we set the standard parameter 0x0029 (default report interval) with 0x8103, not the vendor 0x0310 parameter 0x06',
};

describe('JT/T 808 conformance vectors (Traccar)', () => {
  describe('decode', () => {
    const conn = makeConnection(codec);
    const results = [];
    for (const v of V.decode) {
      const id = v.hex.startsWith('7e') ? `0x${v.hex.slice(2, 6)}` : '(text)';
      const title = `#${v.seq} ${id} -> ${v.expect}${v.values ? ' ' + JSON.stringify(v.values) : ''}${v.model ? ` (model ${v.model})` : ''}`;
      const run = () => {
        const out = emptyOutput();
        const c = { ...conn, options: v.model ? { model: v.model } : {} };
        // the vectors are frames after unescaping: put the escapes back, as they travel on the wire
        codec.decode(v.hex.startsWith('7e') ? escape(v.hex) : Buffer.from(v.hex, 'hex'), c, out);
        conn.deviceId = c.deviceId;
        return checkExpectation(out.messages, v);
      };
      if (KNOWN_DIFFERENCES[v.seq]) {
        it.skip(`${title}: ${KNOWN_DIFFERENCES[v.seq]}`, () => {});
        before(() => run());
        continue;
      }
      it(title, () => {
        const why = run();
        results.push(!why);
        assert.equal(why, null);
      });
    }
    it('passes at least 95% of the decode vectors', () => {
      const passed = results.filter(Boolean).length;
      assert.ok(passed / V.decode.length >= 0.95, `${passed}/${V.decode.length}`);
    });
  });

  describe('decode, escaped and streamed through a session', () => {
    it('gives the same records as decoding each frame', () => {
      const s = createSession({ protocol: 'jt808', now: () => Date.UTC(2024, 0, 2) });
      let records = 0;
      for (const v of V.decode) {
        if (!v.hex.startsWith('7e') || v.model || v.lengthValid === false) continue;
        const r = s.push(escape(v.hex));
        records += r.messages.filter((m) => m.type !== 'heartbeat' || v.expect !== 'none').length;
        assert.ok(!r.errors.some((e) => e.code === 'junk' || e.code === 'oversize'), `#${v.seq}: ${JSON.stringify(r.errors)}`);
      }
      assert.ok(records > 90, `${records} records`);
    });
  });

  describe('frame splitting', () => {
    for (const f of V.frame) {
      it(f.name, () => {
        const stream = Buffer.from(f.stream, 'hex');
        const frames = [];
        let off = 0;
        while (off < stream.length) {
          const n = codec.frameLength(stream, off, stream.length);
          if (n === 0) break; // incomplete trailing data
          if (n > 0) frames.push(unescape(stream.subarray(off, off + n)).toString('hex'));
          off += Math.abs(n);
        }
        assert.deepEqual(frames, f.frames);
      });
    }
  });

  describe('encode', () => {
    for (const e of V.encode) {
      const skip = ENCODE_DIFFERENCES[e.command];
      (skip ? it.skip : it)(`${e.name}${skip ? `: ${skip}` : ''}`, () => {
        const { deviceUniqueId, deviceModel, sessionProtocolVersion, ...params } = e.attributes;
        const conn = makeConnection(codec, deviceModel ? { model: deviceModel } : {});
        conn.deviceId = deviceUniqueId;
        conn.state.version = sessionProtocolVersion;
        const { frames } = codec.encodeCommand({ type: e.command, ...params }, conn);
        assert.equal(unescape(frames[0]).toString('hex'), e.hex);
      });
    }
  });
});
