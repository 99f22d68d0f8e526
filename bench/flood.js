'use strict';
// A flood of made-up device IDs through Node-RED (tracker-server -> tracker-in with events -> tracker-flags edges,
// bench/servers.js `flows`): `concurrency` connections at a time, each connects, logs in as a GT06 device, sends one
// heartbeat with status bits (ACC on + SOS: state in every node) and leaves once both are acknowledged.
// `reused`: the connections take turns with one ID per connection slot, for `seconds`; `new`: every connection is a
// new ID, `ids` of them. Messages/s (login + heartbeat per connection) of each, and for the new IDs per block of a
// sixth of them, so the last block (25k-30k IDs known) can be compared with the reused IDs. Meanwhile one real
// device on its own connection sends a GT06 position every 20 ms: its ACK latency during each phase.
// Usage: node bench/flood.js [ids] [concurrency] [seconds]
const net = require('node:net');
const { startServer, percentile } = require('./harness');
const { gt06Position, gt06Heartbeat } = require('../test/lib/gt06');
const F = require('../test/fixtures/gt06-frames');

/** One device's visit: connect (from one of 127.0.0.2-51, so that ports last), login + heartbeat, both ACKs, reset. */
function visit(port, id, slot) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress: `127.0.0.${2 + (slot % 50)}` });
    let got = 0;
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`device ${id}: no acknowledgement within 10 s`));
    }, 10000);
    s.setNoDelay(true);
    s.on('connect', () => s.write(Buffer.concat([Buffer.from(F.login(id), 'hex'), gt06Heartbeat(0x22, 2)])));
    s.on('data', (d) => {
      got += d.length;
      if (got < 20) return;
      clearTimeout(timer);
      s.resetAndDestroy(); // no TIME_WAIT: tens of thousands of visits must not run out of local ports
      resolve();
    });
    s.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** `concurrency` visits at a time until `more()` says stop; resolves with the number of visits. */
async function visits(port, concurrency, idOf, more) {
  let n = 0;
  const worker = async (slot) => {
    while (more(n)) await visit(port, idOf(n++, slot), slot);
  };
  await Promise.all(Array.from({ length: concurrency }, (_, slot) => worker(slot)));
  return n;
}

/** The real device: a position every 20 ms (one in flight), ACK latency per phase. */
async function realDevice(port) {
  const s = net.connect({ port, host: '127.0.0.1' });
  await new Promise((resolve, reject) => s.once('connect', resolve).once('error', reject));
  s.setNoDelay(true);
  let waiting;
  let received = 0;
  s.on('data', (d) => {
    received += d.length;
    if (waiting && received >= waiting.until) {
      const w = waiting;
      waiting = undefined;
      w.resolve();
    }
  });
  const ack = (until) => new Promise((resolve) => (waiting = { until, resolve }));
  s.write(Buffer.from(F.LOGIN, 'hex'));
  await ack(10);
  let samples = [];
  let serial = 2;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const at = performance.now();
      s.write(gt06Position({ lat: 52.52, lon: 13.405, speed: 30, time: new Date() }, serial++ & 0xffff));
      await ack(received + 10);
      samples.push(performance.now() - at);
      const wait = 20 - (performance.now() - at);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  })();
  return {
    take() {
      const out = samples;
      samples = [];
      return { p50: percentile(out, 50), p99: percentile(out, 99), max: percentile(out, 100), count: out.length };
    },
    async stop() {
      stopped = true;
      await loop;
      s.destroy();
    },
  };
}

async function main() {
  const [idsArg = '30000', concArg = '50', secsArg = '5'] = process.argv.slice(2);
  const ids = Number(idsArg);
  const concurrency = Number(concArg);
  const seconds = Number(secsArg);
  const server = await startServer('flows');
  try {
    const device = await realDevice(server.port);
    // reused IDs: one per connection slot, 1 s to warm up, then `seconds` measured
    const reusedId = (_, slot) => String(869000000000000 + slot);
    const warm = performance.now() + 1000;
    await visits(server.port, concurrency, reusedId, () => performance.now() < warm);
    device.take();
    let t = performance.now();
    const deadline = t + seconds * 1000;
    const reusedVisits = await visits(server.port, concurrency, reusedId, () => performance.now() < deadline);
    const reused = { messagesPerSecond: (2 * reusedVisits) / ((performance.now() - t) / 1000), device: device.take() };
    // new IDs: `ids` of them, timed per sixth
    const block = Math.ceil(ids / 6);
    const blocks = [];
    t = performance.now();
    let blockStart = t;
    await visits(
      server.port,
      concurrency,
      (i) => String(860000000000000 + i),
      (n) => {
        if (n > 0 && n % block === 0 && blocks.length < n / block) {
          const now = performance.now();
          blocks.push((2 * block) / ((now - blockStart) / 1000));
          blockStart = now;
        }
        return n < ids;
      },
    );
    const total = (performance.now() - t) / 1000;
    const flood = { messagesPerSecond: (2 * ids) / total, blocks, device: device.take() };
    await device.stop();
    const mem = await server.mem();
    process.stdout.write(
      `${JSON.stringify({
        ids,
        concurrency,
        reused,
        flood,
        lastBlockRatio: blocks.length ? blocks[blocks.length - 1] / reused.messagesPerSecond : null,
        rssMiB: mem.rss / 2 ** 20,
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
