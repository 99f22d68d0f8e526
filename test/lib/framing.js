'use strict';
// Framing helpers for the codec tests: drive a codec's framer over a buffer as the session does, counting the
// bytes it examined (its optional ScanWork argument), and check that no decoder ever threw.
const assert = require('node:assert/strict');

/** Frames a whole buffer (junk skipped, an incomplete tail left); `work` = bytes the framer examined. */
function frameAll(codec, buf) {
  const scan = { work: 0 };
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
  const scan = { work: 0 };
  for (let off = 0; off < buf.length; off++) codec.detect(buf, off, buf.length, scan);
  return scan.work;
}

/** A decoder that threw shows as a `codec-exception` error (or, before the session counted them, its message). */
function assertNoCodecException(session, results = []) {
  assert.equal(session.stats.codecExceptions ?? 0, 0, 'a decoder threw');
  for (const r of results)
    for (const e of r.errors)
      assert.ok(e.code !== 'codec-exception' && !/decoder failed/.test(e.message), `a decoder threw: ${e.message}`);
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

module.exports = { frameAll, detectAll, assertNoCodecException, pushBytewise, joined };
