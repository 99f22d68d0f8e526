'use strict';
// Device IDs are untrusted input: every codec declares what its IDs look like (deviceIdPattern) and the session,
// not each decoder, holds every frame to it. Text a device sent never leaves the session unescaped.
const assert = require('node:assert/strict');
const { CODECS, DEVICE_PROTOCOLS, createSession, getCodec } = require('../../dist/index.js');
const { PROTOCOLS, runConformance, wireOf } = require('../lib/conformance');
const { loadVectors } = require('../lib/vectors');
const { request } = require('../lib/osmand');

/** Anything a terminal or a log viewer would act on: control characters, DEL, non-ASCII. */
const UNPRINTABLE = /[^\x20-\x7e]/;

/** JT600 WLNET vector #0 (a sensor record with a location) as it arrives. */
const WLNET = Buffer.from(loadVectors('jt600').decode.find((v) => v.seq === 0).hex, 'hex');
/** The same frame whose 10 ID characters end a log line and start a red one. */
const FORGED_WLNET = Buffer.from(WLNET);
Buffer.from('../\0\r\n\x1b[31', 'latin1').copy(FORGED_WLNET, 1);

/** Replaces a codec method in place for the duration of `fn` (the codec object the sessions use). */
function patched(codec, method, replacement, fn) {
  const original = codec[method];
  codec[method] = replacement(original);
  try {
    return fn();
  } finally {
    codec[method] = original;
  }
}

describe('device IDs', () => {
  it('every codec declares the whole-ID pattern of its protocol (anchored, no g or y flag)', () => {
    assert.equal(CODECS.size, 10);
    for (const codec of CODECS.values()) {
      const p = codec.deviceIdPattern;
      assert.ok(p instanceof RegExp, codec.protocol);
      assert.ok(p.source.startsWith('^') && p.source.endsWith('$'), `${codec.protocol}: ${p}`);
      assert.ok(!p.global && !p.sticky, `${codec.protocol}: ${p} keeps state between tests`);
      for (const bad of ['', '../\0\r\n\x1b[31', 'x'.repeat(65), '1234567890\n'])
        assert.ok(!p.test(bad), `${codec.protocol} takes ${JSON.stringify(bad)}`);
    }
  });

  for (const protocol of PROTOCOLS) {
    it(`${protocol}: every ID of the conformance vectors and of the simulated devices fits the pattern`, () => {
      const pattern = getCodec(protocol).deviceIdPattern;
      const records = [];
      runConformance(protocol, records);
      const ids = new Set(records.map((m) => m.deviceId).filter((id) => id !== ''));
      assert.ok(ids.size > 0);
      const device = DEVICE_PROTOCOLS[protocol];
      for (const i of [0, 1, 999, 999999]) ids.add(device.deviceId(i));
      for (const id of ids) assert.ok(pattern.test(id), `${id} does not fit ${pattern}`);
    });
  }

  for (const protocol of PROTOCOLS.filter((p) => !getCodec(p).decodeRequest)) {
    it(`${protocol}: no frame of the conformance vectors is refused as an invalid ID through a session`, () => {
      const groups = new Map();
      for (const v of loadVectors(protocol).decode) {
        if (!groups.has(v.group)) groups.set(v.group, createSession({ protocol }));
        const r = groups.get(v.group).push(wireOf(protocol, v));
        assert.deepEqual(
          r.errors.filter((e) => e.code === 'invalid-id'),
          [],
          `#${v.seq}`,
        );
      }
      for (const s of groups.values()) assert.equal(s.stats.invalidIds, 0);
      assert.ok([...groups.values()].some((s) => s.deviceId !== undefined));
    });
  }

  it('JT600 WLNET: ten bytes that are no terminal ID (`../\\0\\r\\n\\x1b[31`) identify nobody', () => {
    const s = createSession({ protocol: 'jt600' });
    const r = s.push(Buffer.concat([FORGED_WLNET, WLNET]));
    const [forged, ...rest] = r.errors;
    assert.equal(forged.code, 'invalid-id');
    assert.doesNotMatch(forged.message, UNPRINTABLE);
    assert.match(forged.message, /\.\.\/\\x00\\x0d\\x0a\\x1b\[31/);
    assert.equal(forged.deviceId, undefined);
    assert.deepEqual(
      rest.filter((e) => e.code === 'invalid-id'),
      [],
    );
    // the forged frame gives nothing; the real one after it, in the same chunk, decodes as before
    assert.deepEqual(
      r.messages.map((m) => m.deviceId),
      ['8054201973'],
    );
    assert.equal(s.stats.invalidIds, 1);

    const alone = createSession({ protocol: 'jt600' });
    const a = alone.push(FORGED_WLNET);
    assert.deepEqual(a.messages, []);
    assert.deepEqual(a.replies, []);
    assert.equal(alone.deviceId, undefined, 'not identified');
  });

  it('JT600 WLNET auto-detected after a real frame: an invalid ID keeps the connection’s own', () => {
    const s = createSession();
    s.push(Buffer.from('(3110216001,@JT)'));
    const r = s.push(FORGED_WLNET);
    assert.equal(r.errors[0].code, 'invalid-id');
    assert.equal(r.errors[0].deviceId, '3110216001');
    assert.equal(s.deviceId, '3110216001');
    assert.deepEqual(r.messages, []);
  });

  for (const protocol of PROTOCOLS) {
    it(`${protocol}: the session holds every decoder to the pattern (a decoder that takes any ID is overruled)`, () => {
      const codec = getCodec(protocol);
      const forged = 'forged\r\n\x1b[31mid';
      if (codec.decodeRequest) {
        patched(
          codec,
          'decodeRequest',
          (original) =>
            function (req, conn, out) {
              const verdict = original.call(this, req, conn, out);
              conn.deviceId = forged;
              return verdict;
            },
          () => {
            const s = createSession({ protocol });
            s.push(Buffer.from('GET /?id=phone&lat=1&lon=2 HTTP/1.1\r\n\r\n'));
            const r = s.decodeRequest(request({ url: '/?id=phone&lat=1&lon=2' }));
            assert.equal(r.status, 400);
            assert.deepEqual(r.messages, []);
            assert.deepEqual(
              r.errors.map((e) => e.code),
              ['invalid-id'],
            );
            assert.doesNotMatch(r.errors[0].message, UNPRINTABLE);
            assert.equal(s.deviceId, undefined);
          },
        );
        return;
      }
      const device = DEVICE_PROTOCOLS[protocol];
      patched(
        codec,
        'decode',
        (original) =>
          function (frame, conn, out) {
            original.call(this, frame, conn, out);
            conn.deviceId = forged;
          },
        () => {
          const s = createSession({ protocol });
          const r = s.push(device.login(device.deviceId(1), 1).frame);
          assert.deepEqual(r.messages, []);
          assert.deepEqual(r.replies, []);
          assert.deepEqual(
            r.errors.map((e) => e.code),
            ['invalid-id'],
          );
          assert.doesNotMatch(r.errors[0].message, UNPRINTABLE);
          assert.equal(s.deviceId, undefined);
          assert.equal(s.stats.invalidIds, 1);
        },
      );
    });
  }

  it('error messages that quote what a device sent come out escaped', () => {
    const s = createSession();
    s.push(Buffer.from('(3110216001,@JT)'));
    const r = s.push(Buffer.from('(3110216001,ZZ\r\n30 Jan 12:00:00 - [error] forged\x1b[31m,1)', 'latin1'));
    assert.equal(r.errors[0].code, 'unknown-type');
    assert.doesNotMatch(r.errors[0].message, UNPRINTABLE);
    assert.match(r.errors[0].message, /ZZ\\x0d\\x0a30 Jan 12:00:00 - \[error\] forged\\x1b\[31m/);
  });
});
