'use strict';
// One decode measurement in this process: node bench/decode.js <impl> <workload> <mode> <frames>
//   impl: ours | noop | gt06-parser | teltonika-parser;  mode: single (one frame per call) | stream (1000 per chunk)
// Prints {"impl","workload","mode","framesPerSecond","runs":[...]} (median of 5 timed runs after a warm-up).
const { WORKLOADS } = require('./frames');

const [impl, workloadName, mode, totalArg] = process.argv.slice(2);
const total = Number(totalArg || 500000);
const workload = WORKLOADS[workloadName];
if (!workload) throw new Error(`unknown workload ${workloadName}`);

/**
 * Where the frame at `off` ends, by the protocol's own length rule and nothing else (0 = incomplete).
 * GT06: length byte/word; JT/T 808: the closing 7e; JT600 `$`: length word + 10; VT600: `&&` + the decimal
 * length before the first comma; H02: text up to `#`, binary 32 bytes; GPS103: up to `;`; TK103: up to `)`;
 * watch: up to `]`; Teltonika: the data length at offset 4 + 12.
 */
const upTo = (byte) => (d, off) => {
  const at = d.indexOf(byte, off + 1);
  return at < 0 ? 0 : at + 1 - off;
};

const SPLIT = {
  gt06: (d, off) => (off + 5 > d.length ? 0 : d[off] === 0x78 ? d[off + 2] + 5 : d.readUInt16BE(off + 2) + 6),
  jt808: (d, off) => {
    const close = d.indexOf(0x7e, off + 1);
    return close < 0 ? 0 : close + 1 - off;
  },
  jt600: (d, off) => (off + 9 > d.length ? 0 : d.readUInt16BE(off + 7) + 10),
  vt600: (d, off) => {
    const comma = d.indexOf(0x2c, off + 3);
    return comma < 0 ? 0 : comma - off + Number(d.latin1Slice(off + 3, comma)) + 4;
  },
  h02: (d, off) => (d[off] === 0x24 ? 32 : upTo(0x23)(d, off)),
  gps103: upTo(0x3b),
  tk103: upTo(0x29),
  watch: upTo(0x5d),
  teltonika: (d, off) => (off + 8 > d.length ? 0 : d.readUInt32BE(off + 4) + 12),
};

/** A "decoder" with the same contract as ours that only splits frames (the ceiling). */
function noopFramer(protocol) {
  const split = SPLIT[protocol];
  let pending = null;
  return {
    push(chunk) {
      const data = pending ? Buffer.concat([pending, chunk]) : chunk;
      pending = null;
      const messages = [];
      let off = 0;
      while (off < data.length) {
        const n = split(data, off);
        if (n === 0 || off + n > data.length) break;
        messages.push(data.subarray(off, off + n));
        off += n;
      }
      if (off < data.length) pending = Buffer.from(data.subarray(off));
      return { messages, replies: [] };
    },
  };
}

function makeImpl() {
  if (impl === 'ours') {
    // BENCH_DIST: another build of the package (an earlier commit's dist/index.js), for before/after figures
    const { createSession } = require(process.env.BENCH_DIST || '../dist/index.js');
    const s = createSession({ protocol: workload.protocol });
    s.push(workload.identify);
    return (buf) => s.push(buf).messages.length;
  }
  if (impl === 'noop') {
    const f = noopFramer(workload.protocol);
    return (buf) => f.push(buf).messages.length;
  }
  if (impl === 'gt06-parser') {
    if (mode !== 'single') return null; // it cannot split a stream (it misparses several frames per chunk)
    const Gt06 = require('gt06-parser');
    const p = new Gt06();
    p.parse(workload.identify);
    p.clearMsgBuffer();
    return (buf) => {
      try {
        p.parse(buf);
      } catch {
        /* counted as decoded-or-failed alike: it throws plain objects on types it does not know */
      }
      const n = p.msgBuffer.length;
      p.clearMsgBuffer();
      return n;
    };
  }
  if (impl === 'teltonika-parser') {
    if (mode !== 'single') return null; // it parses one packet per call: it cannot split a stream
    const TeltonikaParser = require('teltonika-parser');
    return (buf) => new TeltonikaParser(buf).getAvl().records.length;
  }
  throw new Error(`unknown impl ${impl}`);
}

const decode = makeImpl();
if (!decode) {
  process.stdout.write(`${JSON.stringify({ impl, workload: workloadName, mode, framesPerSecond: null })}\n`);
  process.exit(0);
}

const frames = workload.frames;
let inputs;
if (mode === 'single') inputs = frames;
else {
  // 1000 frames per chunk, cycling through the workload
  const chunk = [];
  for (let i = 0; i < 1000; i++) chunk.push(frames[i % frames.length]);
  inputs = [Buffer.concat(chunk)];
}
const framesPerInput = mode === 'single' ? 1 : 1000;

/** A run stops after this long, whatever `n` (a parser thousands of times slower would take hours). */
const MAX_RUN_NS = 2e9;

function run(n) {
  let sink = 0;
  const calls = Math.ceil(n / framesPerInput);
  const t0 = process.hrtime.bigint();
  let done = 0;
  while (done < calls) {
    // the clock is read once per 256 calls, so that it costs the fast implementations nothing measurable
    const stop = Math.min(calls, done + 256);
    for (; done < stop; done++) sink += decode(inputs[done % inputs.length]);
    if (Number(process.hrtime.bigint() - t0) > MAX_RUN_NS) break;
  }
  const ns = Number(process.hrtime.bigint() - t0);
  if (sink === 0) throw new Error('nothing decoded');
  return (done * framesPerInput) / (ns / 1e9);
}

run(Math.min(50000, total)); // warm-up
const runs = [];
for (let i = 0; i < 5; i++) runs.push(run(total));
const sorted = [...runs].sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({ impl, workload: workloadName, mode, framesPerSecond: sorted[2], runs: runs.map(Math.round) })}\n`,
);
