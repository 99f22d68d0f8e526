'use strict';
// Ingestion: acknowledged GT06 positions per second through a server, `connections` clients pipelining
// `window` frames each, for `seconds`. Replies from our server are checked byte for byte; the raw server's
// fixed ACK is only counted. Usage: node bench/ingest.js ours|raw [connections] [seconds] [window]
const { Simulator } = require('../dist/index.js');
const { startServer } = require('./harness');

async function main() {
  const [kind, conns = '200', secs = '5', win = '16'] = process.argv.slice(2);
  const server = await startServer(kind);
  const sim = new Simulator({
    port: server.port,
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
        connections: Number(conns),
        window: Number(win),
        positionsPerSecond: s.positionsPerSecond,
        wrongReplies: s.counters.wrongReplies,
        acked: s.counters.positionsAcked,
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
