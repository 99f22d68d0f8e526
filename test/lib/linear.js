'use strict';
// Measures framing work without a clock: the number of bytes a frame splitter reads, through a Proxy that
// counts indexed reads. Cost that grows faster than the input (a rescan per start marker) shows in the ratio.

/**
 * Runs `codec.frameLength` over `bytes` as the session does (or, with `scan` 'detect', `codec.detect` at every
 * offset, as the session looks for the next frame of an unknown protocol); returns the indexed reads it made.
 */
function framingReads(codec, bytes, scan = 'frameLength') {
  let reads = 0;
  const buf = new Proxy(bytes, {
    get(target, key) {
      if (typeof key === 'string' && key.charCodeAt(0) <= 0x39 && key.charCodeAt(0) >= 0x30) reads++;
      const v = target[key];
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  let off = 0;
  while (off < bytes.length) {
    const n = codec[scan](buf, off, bytes.length);
    if (scan === 'detect') off++;
    else if (n === 0) break;
    else off += Math.abs(n);
  }
  return reads;
}

/** Reads per input byte for `unit` repeated to 64 KiB, and the growth when the input doubles. */
function linearity(codec, unit, scan) {
  const of = (size) => Buffer.alloc(size, unit);
  const small = framingReads(codec, of(32 * 1024), scan);
  const large = framingReads(codec, of(64 * 1024), scan);
  return { perByte: large / (64 * 1024), growth: large / Math.max(1, small) };
}

module.exports = { framingReads, linearity };
