'use strict';
// Ingestion: acknowledged GT06 positions per second through a server, `connections` clients pipelining
// `window` frames each, for `seconds`. Replies from our server are checked byte for byte; the raw server's
// fixed ACK is only counted. `route`: `direct`, or `haproxy` (a real HAProxy in front, sending PROXY v2 headers
// to the `proxied` server; its direct clients then connect from 127.0.0.2, an address it does not trust).
// Usage: node bench/ingest.js ours|proxied|raw [connections] [seconds] [window] [direct|haproxy]
const { Simulator } = require('../dist/index.js');
const { startHaproxy } = require('../test/lib/engines');
const { startServer } = require('./harness');

async function main() {
  const [kind, conns = '200', secs = '5', win = '16', route = 'direct'] = process.argv.slice(2);
  const server = await startServer(kind);
  const haproxy =
    route === 'haproxy' ? await startHaproxy({ servers: [{ name: 'server', port: server.port }] }) : undefined;
  const sim = new Simulator({
    port: haproxy ? haproxy.port : server.port,
    localAddress: kind === 'proxied' && !haproxy ? '127.0.0.2' : undefined,
    devices: Number(conns),
    window: Number(win),
    flood: true,
    heartbeat: 0,
    verify: kind === 'ours',
  });
  try {
    await sim.start();
    await sim.waitUp();
    sim.flood();
    await new Promise((r) => setTimeout(r, Number(secs) * 1000));
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
