'use strict';
// Framing helpers for the codec tests: drive a codec's framer over a buffer as the session does, counting the
// bytes it examined (the FrameScan the session would hand it), and check that no decoder ever threw.
const assert = require('node:assert/strict');
const fc = require('fast-check');
const { FrameScan } = require('../../dist/index.js');

/** Frames a whole buffer (junk skipped, an incomplete tail left); `work` = bytes the framer examined. */
function frameAll(codec, buf) {
  const scan = new FrameScan();
  const frames = [];
  let off = 0;
  let calls = 0;
  while (off < buf.length) {
    calls++;
    const n = codec.frameLength(buf, off, buf.length, scan);
    if (n === 0) break;
    if (n > 0) frames.push(buf.subarray(off, off + n));
    off += Math.abs(n);
  }
  return { frames, work: scan.work, calls };
}

/** Detection tried at every offset, as a session does before it knows the protocol; `work` as above. */
function detectAll(codec, buf) {
  const scan = new FrameScan();
  for (let off = 0; off < buf.length; off++) codec.detect(buf, off, buf.length, scan);
  return scan.work;
}

/**
 * Framing and detection stay linear: over 64 KiB of each repeated `unit` (start markers and broken frames), and
 * over random strings of `alphabet`, they examine at most 3 bytes per byte (plus `slack`: one frame given up).
 */
function assertLinear(codec, units, alphabet, { seed, slack = 0 }) {
  for (const unit of units) {
    const buf = Buffer.from(unit.repeat(Math.ceil(65536 / unit.length)), 'latin1');
    const { work } = frameAll(codec, buf);
    assert.ok(work <= 3 * buf.length, `${unit}: framing examined ${work} bytes of ${buf.length}`);
    const detect = detectAll(codec, buf);
    assert.ok(detect <= 3 * buf.length, `${unit}: detection examined ${detect} bytes of ${buf.length}`);
  }
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 6000 }), (chars) => {
      const buf = Buffer.from(chars.join(''), 'latin1');
      assert.ok(frameAll(codec, buf).work <= 3 * buf.length + slack);
      assert.ok(detectAll(codec, buf) <= 3 * buf.length);
    }),
    { seed, numRuns: 60 },
  );
}

/** Pushes `bytes` cut at the given points (any order, duplicates allowed); returns every result. */
function pushAtCuts(session, bytes, cuts) {
  const results = [];
  let prev = 0;
  for (const p of [...[...new Set(cuts)].sort((a, b) => a - b), bytes.length]) {
    results.push(session.push(bytes.subarray(prev, p)));
    prev = p;
  }
  return results;
}

/**
 * The session survives a decoder that throws (a `codec-exception` error, counted in its stats): in a test that
 * says "never throws", that must never have been needed.
 */
function assertNoCodecException(session, results = []) {
  assert.equal(session.stats.codecExceptions, 0, 'a decoder threw');
  for (const r of results)
    for (const e of r.errors) assert.notEqual(e.code, 'codec-exception', `a decoder threw: ${e.message}`);
}

/** Pushes `bytes` one byte at a time; returns every result. */
function pushBytewise(session, bytes) {
  const results = [];
  for (let i = 0; i < bytes.length; i++) results.push(session.push(bytes.subarray(i, i + 1)));
  return results;
}

/** Everything a list of push results carries, joined. */
function joined(results) {
  return {
    messages: results.flatMap((r) => r.messages),
    replies: results.flatMap((r) => r.replies.map((b) => b.toString('latin1'))),
    errors: results.flatMap((r) => r.errors),
    answers: results.flatMap((r) => r.answers),
  };
}

module.exports = { frameAll, detectAll, assertLinear, assertNoCodecException, pushBytewise, pushAtCuts, joined };
