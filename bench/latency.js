'use strict';
// ACK latency at a fixed offered load: `rate` GT06 positions per second spread over `devices` connections
// for `seconds`. Usage: node bench/latency.js ours|raw [rate] [devices] [seconds]
const { Simulator } = require('../dist/index.js');
const { startServer } = require('./harness');

async function main() {
  const [kind, rate = '10000', devices = '1000', secs = '10'] = process.argv.slice(2);
  const server = await startServer(kind);
  const sim = new Simulator({
    port: server.port,
    devices: Number(devices),
    rate: Number(rate),
    heartbeat: 0,
    verify: kind === 'ours',
    window: 64,
  });
  try {
    await sim.start();
    await sim.waitUp();
    await new Promise((r) => setTimeout(r, 1000)); // settle, then measure
    sim.latency.reset();
    const sentBefore = sim.counters.positionsSent;
    await new Promise((r) => setTimeout(r, Number(secs) * 1000));
    const s = await sim.stop();
    process.stdout.write(
      `${JSON.stringify({
        kind,
        offeredPerSecond: Number(rate),
        achievedPerSecond: (s.counters.positionsSent - sentBefore) / Number(secs),
        p50: s.ackLatencyMs.p50,
        p99: s.ackLatencyMs.p99,
        samples: s.ackLatencyMs.count,
        wrongReplies: s.counters.wrongReplies,
      })}\n`,
    );
  } finally {
    await server.stop();
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
