'use strict';
// Traccar's conformance vectors for every protocol (test/fixtures/traccar, see the NOTICE there), run by
// test/lib/conformance.js, which `npm run conformance` uses too: one test per case, deliberate differences
// skipped with their reason (and failing if they ever start to pass, so the list cannot go stale).
const assert = require('node:assert/strict');
const { createSession } = require('../../dist/index.js');
const { PROTOCOLS, HTTP_PROTOCOLS, runConformance, runWireConformance, wireOf } = require('../lib/conformance');
const { loadVectors } = require('../lib/vectors');
const { escapeFrame } = require('../lib/jt808');

for (const protocol of PROTOCOLS) {
  describe(`${protocol.toUpperCase()} conformance vectors (Traccar)`, () => {
    const cases = runConformance(protocol);
    for (const kind of ['decode', 'frame', 'encode']) {
      describe(kind === 'frame' ? 'frame splitting' : kind, () => {
        for (const c of cases.filter((x) => x.kind === kind)) {
          if (c.known) {
            it.skip(`${c.title}: ${c.known}`, () => {});
            it(`${c.title} is still a deliberate difference`, () =>
              assert.notEqual(c.problem, null, 'it passes now: drop it from KNOWN_DIFFERENCES'));
            continue;
          }
          it(c.title, () => assert.equal(c.problem, null));
        }
      });
    }
    it('passes at least 95% of the decode vectors', () => {
      const decode = cases.filter((c) => c.kind === 'decode');
      const passed = decode.filter((c) => !c.known && c.problem === null).length;
      assert.ok(passed / decode.length >= 0.95, `${passed}/${decode.length}`);
    });
  });
}

for (const protocol of HTTP_PROTOCOLS) {
  describe(`${protocol.toUpperCase()} conformance vectors on the wire (Node's HTTP parser, one connection per group)`, () => {
    for (const mode of [protocol, 'auto']) {
      it(`every request gets one answer with Traccar's status and the expected records (--protocol ${mode})`, async () => {
        const cases = await runWireConformance(protocol, mode);
        assert.ok(cases.length > 0);
        const failed = cases.filter((c) => !c.known && c.problem !== null).map((c) => `${c.title}: ${c.problem}`);
        assert.deepEqual(failed, []);
      });
    }
  });
}

describe('JT/T 808 decode vectors, escaped and streamed through a session', () => {
  it('gives the same records as decoding each frame', () => {
    const s = createSession({ protocol: 'jt808', now: () => Date.UTC(2024, 0, 2) });
    let records = 0;
    for (const v of loadVectors('jt808').decode) {
      if (!v.hex.startsWith('7e') || v.model || v.lengthValid === false) continue;
      const r = s.push(escapeFrame(v.hex));
      records += r.messages.filter((m) => m.type !== 'heartbeat' || v.expect !== 'none').length;
      assert.ok(
        !r.errors.some((e) => e.code === 'junk' || e.code === 'oversize'),
        `#${v.seq}: ${JSON.stringify(r.errors)}`,
      );
    }
    assert.ok(records > 90, `${records} records`);
  });
});

describe('TK103 and watch decode vectors through auto-detecting sessions', () => {
  // --protocol auto must give what --protocol <name> gives, frame for frame
  for (const protocol of ['tk103', 'watch']) {
    it(`${protocol}: the same records and replies as a session pinned to ${protocol}`, () => {
      const groups = new Map();
      for (const v of loadVectors(protocol).decode) {
        if (!groups.has(v.group)) groups.set(v.group, []);
        groups.get(v.group).push(wireOf(protocol, v));
      }
      let records = 0;
      for (const frames of groups.values()) {
        const now = () => Date.UTC(2024, 0, 2);
        const auto = createSession({ now });
        const pinned = createSession({ protocol, now });
        for (const f of frames) {
          const a = auto.push(f);
          const p = pinned.push(f);
          assert.deepEqual(a.messages, p.messages);
          assert.deepEqual(a.replies, p.replies);
          records += a.messages.length;
        }
        assert.equal(auto.protocol, protocol);
      }
      assert.ok(records > 35, `${records} records`);
    });
  }
});
