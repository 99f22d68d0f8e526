'use strict';
// Ingestion: acknowledged positions per second through a server, `connections` simulated devices of
// `protocol` keeping `window` frames (or HTTP requests) in flight each, for `seconds`. Replies from our server
// are checked byte for byte (HTTP: status and empty body); the raw GT06 server's fixed ACK is only counted.
// Phones: `protocol` osmand (Traccar Client JSON POSTs, one keep-alive connection each) against our server or
// `http`, a bare http.Server that answers 200.
// Usage: node bench/ingest.js ours|raw|http [connections] [seconds] [window] [protocol]
const { Simulator } = require('../dist/index.js');
const { startServer } = require('./harness');

async function main() {
  const [kind, conns = '200', secs = '5', win = '16', protocol = 'gt06'] = process.argv.slice(2);
  const server = await startServer(kind);
  const sim = new Simulator({
    port: server.port,
    devices: Number(conns),
    protocols: [protocol],
    window: Number(win),
    flood: true,
    heartbeat: 0,
    verify: kind !== 'raw',
  });
  try {
    await sim.start();
    await sim.waitUp();
    const before = { cpu: (await server.mem()).cpuMicros, acked: sim.counters.acked };
    sim.flood();
    await new Promise((r) => setTimeout(r, Number(secs) * 1000));
    const cpu = (await server.mem()).cpuMicros - before.cpu;
    const answered = sim.counters.acked - before.acked;
    const s = await sim.stop();
    process.stdout.write(
      `${JSON.stringify({
        kind,
        connections: Number(conns),
        window: Number(win),
        positionsPerSecond: s.positionsPerSecond,
        wrongReplies: s.counters.wrongReplies,
        acked: s.counters.positionsAcked,
        p50: s.ackLatencyMs.p50,
        p99: s.ackLatencyMs.p99,
        // the server's CPU time per answered message: steadier than the rate when other work shares the cores
        serverCpuMicrosPerMessage: answered > 0 ? cpu / answered : null,
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
