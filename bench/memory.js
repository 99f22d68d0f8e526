'use strict';
// Memory per connected device: server RSS (after GC) with `devices` GT06 devices logged in, minus the idle
// server's. Usage: node bench/memory.js ours|raw [devices]
const { Simulator } = require('../dist/index.js');
const { startServer } = require('./harness');

async function main() {
  const [kind, n = '10000'] = process.argv.slice(2);
  const devices = Number(n);
  const server = await startServer(kind, ['--expose-gc']);
  const sim = new Simulator({
    port: server.port,
    devices,
    interval: 1e9,
    heartbeat: 0,
    verify: kind === 'ours',
    connectConcurrency: 500,
  });
  try {
    const before = await server.mem();
    await sim.start();
    await sim.waitUp(devices, 120000);
    await new Promise((r) => setTimeout(r, 500));
    const after = await server.mem();
    await sim.stop();
    process.stdout.write(
      `${JSON.stringify({
        kind,
        devices,
        connections: after.connections,
        rssBefore: before.rss,
        rssAfter: after.rss,
        bytesPerDevice: (after.rss - before.rss) / devices,
        heapPerDevice: (after.heapUsed - before.heapUsed) / devices,
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
