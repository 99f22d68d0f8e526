'use strict';
// npm run soak [-- --minutes N --devices N --rate R --example FILE]: the embedded Node-RED (scripts/start.js) under mixed
// tracker-sim traffic and junk connections, printing memory, message counts and losses every minute; then
// the property tests with many more runs. Not part of CI.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { Simulator } = require('../dist/index.js');

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    devices: { type: 'string', default: '200' },
    rate: { type: 'string', default: '200' },
    'property-runs': { type: 'string', default: '5000' },
    // our nodes only (events, geofence, functions): the map example's worldmap node keeps every message it
    // gets until its max age (1 h by default), which at soak rates measures worldmap rather than us
    example: { type: 'string', default: 'geofence.json' },
  },
});
const minutes = Number(values.minutes);

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

function rssOf(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Junk connections: random bytes, floods of idle sockets, slow drips. */
function attack(port) {
  const sockets = new Set();
  const open = (write) => {
    const s = net.connect(port, '127.0.0.1');
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    s.on('connect', () => write(s));
  };
  const timer = setInterval(() => {
    open((s) => s.write(Buffer.from(Array.from({ length: 4096 }, () => Math.floor(Math.random() * 256)))));
    for (let i = 0; i < 5; i++) open(() => {});
    open((s) => {
      const drip = setInterval(() => (s.writable ? s.write(Buffer.from([0x78])) : clearInterval(drip)), 1000);
      s.on('close', () => clearInterval(drip));
    });
  }, 2000);
  return () => {
    clearInterval(timer);
    for (const s of sockets) s.destroy();
  };
}

async function main() {
  const [editorPort, trackerPort] = [await freePort(), await freePort()];
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nr-soak-'));
  const child = spawn(process.execPath, [path.join(__dirname, 'start.js')], {
    env: {
      ...process.env,
      PORT: String(editorPort),
      TRACKER_PORT: String(trackerPort),
      NODE_RED_USER_DIR: userDir,
      EXAMPLE: values.example,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve) => child.stdout.on('data', (d) => String(d).includes('Trackers:') && resolve()));
  console.log(
    `Node-RED up (pid ${child.pid}); soaking ${minutes} min with ${values.devices} devices at ${values.rate} positions/s plus junk`,
  );
  const sim = new Simulator({
    port: trackerPort,
    devices: Number(values.devices),
    protocols: ['gt06', 'jt808', 'jt600', 'vt600', 'osmand', 'tk103', 'watch'],
    rate: Number(values.rate),
    heartbeat: 60,
    sosEvery: 300,
  });
  await sim.start();
  const stopAttack = attack(trackerPort);
  const startRss = rssOf(child.pid);
  const report = async () => {
    const s = sim.summary();
    const res = await fetch(`http://127.0.0.1:${editorPort}/flows`).catch(() => undefined);
    const c = s.counters;
    console.log(
      `${new Date().toISOString()} rss ${rssOf(child.pid).toFixed(1)} MiB (start ${startRss.toFixed(1)}) | up ${c.devicesUp} | ` +
        `positions sent ${c.positionsSent} acknowledged ${c.positionsAcked} (in flight or lost ${c.positionsSent - c.positionsAcked}) | ` +
        `wrong replies ${c.wrongReplies} | reconnects ${c.reconnects} | ack p99 ${s.ackLatencyMs.p99.toFixed(1)} ms${res?.ok ? '' : ' | editor not answering'}`,
    );
  };
  const timer = setInterval(report, 60000);
  await new Promise((r) => setTimeout(r, minutes * 60000));
  clearInterval(timer);
  stopAttack();
  await report();
  const summary = await sim.stop();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  fs.rmSync(userDir, { recursive: true, force: true });
  console.log(`\nproperty tests with ${values['property-runs']} runs each:`);
  const props = spawnSync(
    process.execPath,
    [require.resolve('mocha/bin/mocha.js'), '--no-config', '--timeout', '0', 'test/unit/property.spec.js'],
    {
      cwd: path.join(__dirname, '..'),
      env: { ...process.env, PROPERTY_RUNS: values['property-runs'] },
      stdio: 'inherit',
    },
  );
  const failed = summary.counters.wrongReplies > 0 || props.status !== 0;
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
