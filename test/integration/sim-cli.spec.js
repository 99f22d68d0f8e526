'use strict';
// tracker-sim as a newcomer runs it (the command line, in a child process, against a real server): it follows
// TRACKER_PORT, says so when nothing listens, keeps stdout to the JSON summary with --json, shows rates below
// one position a second, gives two simulators on one machine different device IDs, and spreads its cars.
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');
const { TrackerServer, Simulator, distance } = require('../../dist/index.js');
const { freePort } = require('../lib/clients');

const BIN = path.join(__dirname, '..', '..', 'bin', 'tracker-sim.js');

/** Starts tracker-sim; `done` resolves with its exit code and output when it ends. */
function sim(args, env = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

/** Runs tracker-sim to its end. */
const simRun = (args, env) => sim(args, env).done;

async function until(condition, what, ms = 5000) {
  for (const deadline = Date.now() + ms; !condition(); await new Promise((r) => setTimeout(r, 20)))
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
}

describe('tracker-sim command line', function () {
  this.timeout(20000);
  let server;
  const online = [];
  beforeEach(async () => {
    online.length = 0;
    server = new TrackerServer({ port: 0, host: '127.0.0.1' });
    server.on('online', (d) => online.push(d.deviceId));
    await server.listen();
  });
  afterEach(() => server.close());

  it('connects to TRACKER_PORT and, with --json, prints nothing but the summary on stdout', async () => {
    const run = sim(['--devices', '2', '--rate', '20', '--duration', '1.5', '--json'], {
      TRACKER_PORT: String(server.port),
    });
    await until(() => online.length === 2, 'both devices online');
    run.child.stdin.write('sos 0\n');
    const r = await run.done;
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout); // the whole of stdout
    assert.equal(summary.counters.devicesUp, 2);
    assert.equal(summary.counters.alarmsSent, 1, 'the typed SOS was sent');
    assert.match(r.stderr, /SOS sent by/, 'messages for people go to stderr');
    assert.equal(online.length, 2);
  });

  it('shows a rate below one position a second instead of 0 pos/s', async () => {
    const r = await simRun(['--port', String(server.port), '--devices', '1', '--interval', '1.5', '--duration', '2']);
    assert.equal(r.code, 0, r.stderr);
    const summary = r.stdout.split('\n').find((l) => l.startsWith('summary:'));
    assert.match(summary, /\| 0\.\d\d pos\/s$/);
  });

  it('says "connection refused" and exits with 1 when nothing listens on the port', async () => {
    const port = await freePort();
    const r = await simRun(['--port', String(port), '--devices', '1', '--duration', '1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`connection refused by 127\\.0\\.0\\.1:${port}: nothing listens there`));
    assert.match(r.stderr, /no device could log in/);
  });

  it('gives two simulators started side by side different device IDs', async () => {
    const args = ['--port', String(server.port), '--devices', '3', '--duration', '1.5'];
    const [a, b] = await Promise.all([simRun(args), simRun(args)]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(new Set(online).size, 6, `six devices, each online once: ${online}`);
    assert.equal(online.length, 6, 'no device pushed out by the other simulator and back');
  });

  it('spreads its cars along the route instead of starting them on top of each other', async () => {
    const first = new Map();
    server.on('message', (m) => m.type === 'position' && !first.has(m.deviceId) && first.set(m.deviceId, m));
    const s = new Simulator({ port: server.port, devices: 4, rate: 40 });
    await s.start();
    await s.waitUp();
    for (let t = 0; first.size < 4 && t < 100; t++) await new Promise((r) => setTimeout(r, 20));
    await s.stop();
    const starts = [...first.values()];
    assert.equal(starts.length, 4);
    let nearest = Infinity;
    for (let i = 0; i < starts.length; i++)
      for (let j = i + 1; j < starts.length; j++) nearest = Math.min(nearest, distance(starts[i], starts[j]));
    // four cars on the 9.4 km loop: about 2.4 km apart
    assert.ok(nearest > 1500, `the two closest cars start ${nearest.toFixed(0)} m apart`);
  });
});
