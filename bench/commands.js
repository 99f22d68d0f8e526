'use strict';
// Command latency in cluster mode: two TrackerServers (A, B) sharing a real Mosquitto broker, a GT06 device on
// one of them. `local`: the device is on A, where the command is issued (no broker on the way); `remote`: it is
// on B (the command crosses the broker to B, its statuses cross back). One command at a time, `count` of them;
// per command: the time until its frame reaches the device, and until the device's answer comes out of A as
// `result`. `remote-nagle`: remote, with Mosquitto's default set_tcp_nodelay false.
// Usage: node bench/commands.js local|remote|remote-nagle [count]
const { TrackerServer } = require('../dist/index.js');
const { startMosquitto } = require('../test/lib/engines');
const { tcpClient } = require('../test/lib/clients');
const { gt06Answer } = require('../test/lib/gt06');
const F = require('../test/fixtures/gt06-frames');
const { percentile } = require('./harness');

async function main() {
  const [where = 'remote', countArg = '1000'] = process.argv.slice(2);
  const count = Number(countArg);
  const broker = await startMosquitto({ noDelay: where !== 'remote-nagle' });
  const servers = ['a', 'b'].map(
    (instance) =>
      new TrackerServer({
        port: 0,
        host: '127.0.0.1',
        udp: false,
        cluster: { url: broker.url, instance, prefix: 'bench' },
      }),
  );
  const [a, b] = servers;
  try {
    for (const s of servers) await s.listen();
    const on = where === 'local' ? 'a' : 'b';
    const device = await tcpClient((on === 'a' ? a : b).port);
    device.write(F.LOGIN);
    await device.waitFor(10);
    while (a.cluster.holder(F.IMEI) !== on) await new Promise((r) => setTimeout(r, 10));

    // The device answers every command at once, echoing its server flag (bytes 5..8 of the 0x80 frame).
    let frameArrived;
    let offset = 10;
    device.socket.on('data', () => {
      const r = device.received;
      while (offset + 5 <= r.length && offset + 5 + r[offset + 2] <= r.length) {
        const end = offset + 5 + r[offset + 2];
        if (r[offset + 3] === 0x80) {
          frameArrived?.();
          device.write(gt06Answer(r.readUInt32BE(offset + 5), 'OK'));
        }
        offset = end;
      }
    });
    const toDevice = [];
    const toResult = [];
    for (let i = 0; i < count + 50; i++) {
      const t0 = process.hrtime.bigint();
      let id;
      const arrived = new Promise((r) => {
        frameArrived = r;
      });
      const result = new Promise((r) => {
        const on = (e) => {
          if (e.id === id && e.status === 'result') {
            a.off('command', on);
            r();
          }
        };
        a.on('command', on);
      });
      id = a.command(F.IMEI, { type: 'custom', text: 'WHERE#' }).id;
      await arrived;
      const t1 = process.hrtime.bigint();
      await result;
      const t2 = process.hrtime.bigint();
      if (i < 50) continue; // warm-up
      toDevice.push(Number(t1 - t0) / 1e6);
      toResult.push(Number(t2 - t0) / 1e6);
    }
    device.destroy();
    const stats = (xs) => ({ p50: percentile(xs, 50), p99: percentile(xs, 99) });
    process.stdout.write(`${JSON.stringify({ where, count, toDevice: stats(toDevice), toResult: stats(toResult) })}\n`);
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    await broker.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
