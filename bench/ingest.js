'use strict';
// Ingestion: acknowledged positions per second through a server, `connections` simulated devices of
// `protocol` keeping `window` frames (or HTTP requests) in flight each, for `seconds`. Replies from our server
// are checked byte for byte (HTTP: status and empty body); the raw GT06 server's fixed ACK is only counted.
// Phones: `protocol` osmand (Traccar Client JSON POSTs, one keep-alive connection each) against our server or
// `http`, a bare http.Server that answers 200. `route`: `direct`, or `haproxy` (a real HAProxy in front, sending
// PROXY v2 headers to the `proxied` server; its direct clients then connect from 127.0.0.2, an address it does
// not trust).
// Usage: node bench/ingest.js ours|proxied|raw|http [connections] [seconds] [window] [protocol] [direct|haproxy]
const { Simulator } = require('../dist/index.js');
const { startHaproxy } = require('../test/lib/engines');
const { startServer } = require('./harness');

async function main() {
  const [kind, conns = '200', secs = '5', win = '16', protocol = 'gt06', route = 'direct'] = process.argv.slice(2);
  const server = await startServer(kind);
  const haproxy =
    route === 'haproxy' ? await startHaproxy({ servers: [{ name: 'server', port: server.port }] }) : undefined;
  const sim = new Simulator({
    port: haproxy ? haproxy.port : server.port,
    localAddress: kind === 'proxied' && !haproxy ? '127.0.0.2' : undefined,
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
        route,
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
    await haproxy?.stop();
    await server.stop();
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
