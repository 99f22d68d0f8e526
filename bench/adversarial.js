'use strict';
// Adversarial input in this process: node bench/adversarial.js [bytes] [drip bytes] [drip piece]
// Bytes per second through session.push() of random junk and of every start-marker shape repeated
// (test/lib/markers.js): `bytes` (default 64 KiB) in one push, and `drip bytes` (default 16 KiB) in pushes of
// `drip piece` bytes (default 16: what an attacker can make of TCP), for a session that detects and for a session
// pinned to each protocol with its device logged in. For each session and way the worst shape is kept.
// Prints {"bytes","drip":{bytes,piece},"rows":[{session,random,worst,shape,drip:{random,worst,shape}}]}
// (bytes/s, median of 5 timed runs after a warm-up).
const { createSession, CODECS } = require(process.env.BENCH_DIST || '../dist/index.js');
const { ALL_MARKER_SHAPES, randomBytes } = require('../test/lib/markers');
const { median } = require('./harness');

const size = Number(process.argv[2] || 64 * 1024);
const drip = { bytes: Number(process.argv[3] || 16 * 1024), piece: Number(process.argv[4] || 16) };

/** Bytes/s of `bytes` in pushes of `piece` into a fresh session from `make` (median of 5 after a warm-up). */
function rate(make, bytes, piece) {
  const times = [];
  for (let k = 0; k < 6; k++) {
    const s = make();
    const at = Date.now();
    const t = process.hrtime.bigint();
    for (let i = 0; i < bytes.length; i += piece) s.push(bytes.subarray(i, i + piece), at);
    if (k > 0) times.push(Number(process.hrtime.bigint() - t));
  }
  return bytes.length / (median(times) / 1e9);
}

/** Random bytes and the worst shape, `bytes` of each in pushes of `piece`. */
function worstOf(make, bytes, piece) {
  const random = rate(make, randomBytes(bytes, 14), piece);
  let worst = { rate: Infinity, shape: '' };
  for (const hex of ALL_MARKER_SHAPES) {
    const r = rate(make, Buffer.alloc(bytes, Buffer.from(hex, 'hex')), piece);
    if (r < worst.rate) worst = { rate: r, shape: hex };
  }
  return { random, worst: worst.rate, shape: worst.shape };
}

function measure(session, make) {
  return { session, ...worstOf(make, size, size), drip: worstOf(make, drip.bytes, drip.piece) };
}

const rows = [measure('detecting (no protocol known yet)', () => createSession())];
for (const [protocol, codec] of CODECS) {
  if (codec.decodeRequest) continue; // spoken over HTTP: Node's HTTP parser reads it
  const device = codec.device;
  const login = device.login(device.deviceId(7), 1).frame;
  rows.push(
    measure(`${protocol}, logged in`, () => {
      const s = createSession({ protocol });
      s.push(login);
      return s;
    }),
  );
}
process.stdout.write(`${JSON.stringify({ bytes: size, drip, rows })}\n`);
