'use strict';
// Adversarial input in this process: node bench/adversarial.js [bytes]
// Bytes per second through session.push() of random junk and of every start-marker shape repeated
// (test/lib/markers.js), `bytes` (default 64 KiB) per push: for a session that detects, and for a session pinned to
// each protocol with its device logged in. For each session the worst shape is kept.
// Prints {"bytes","rows":[{session,random,worst,shape}]} (bytes/s, median of 5 timed pushes after a warm-up).
const { createSession, CODECS } = require(process.env.BENCH_DIST || '../dist/index.js');
const { ALL_MARKER_SHAPES, randomBytes } = require('../test/lib/markers');
const { median } = require('./harness');

const size = Number(process.argv[2] || 64 * 1024);

/** Bytes/s of `bytes` in one push into a fresh session from `make` (median of 5 after one warm-up). */
function rate(make, bytes) {
  const times = [];
  for (let k = 0; k < 6; k++) {
    const s = make();
    const at = Date.now();
    const t = process.hrtime.bigint();
    s.push(bytes, at);
    if (k > 0) times.push(Number(process.hrtime.bigint() - t));
  }
  return bytes.length / (median(times) / 1e9);
}

function measure(session, make) {
  const random = rate(make, randomBytes(size, 14));
  let worst = { rate: Infinity, shape: '' };
  for (const hex of ALL_MARKER_SHAPES) {
    const r = rate(make, Buffer.alloc(size, Buffer.from(hex, 'hex')));
    if (r < worst.rate) worst = { rate: r, shape: hex };
  }
  return { session, random, worst: worst.rate, shape: worst.shape };
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
process.stdout.write(`${JSON.stringify({ bytes: size, rows })}\n`);
