'use strict';
// npm run soak [-- --minutes N --devices N --rate R --attack LIST --example FILE]: the embedded Node-RED
// (scripts/start.js) under honest tracker-sim devices (TCP and phones, long-lived UDP ones, and new UDP devices every
// 30 s) and, beside them, an attacker mix (scripts/soak-attacks.js): start-marker floods, JT/T 808 sub-package
// claims, made-up IDs, spoofed UDP, junk connections. Every minute: the honest devices' messages acknowledged and
// delivered to a flow, losses, p99 ACK latency, Node-RED's memory, the attackers' bytes. Then the property tests
// with many more runs. Exits non-zero when an honest message is lost or answered wrongly, a new UDP device is not
// let in, p99 ACK latency reaches --p99-limit, memory passes --max-rss, or a property test fails. Not part of CI.
//   --attack all (default) | none | a comma list of markers,reassembly,ids,udp,junk
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { Simulator, DEVICE_PROTOCOLS } = require('../dist/index.js');
const { ATTACKS } = require('./soak-attacks');

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    devices: { type: 'string', default: '200' },
    rate: { type: 'string', default: '200' },
    'udp-devices': { type: 'string', default: '10' },
    attack: { type: 'string', default: 'all' },
    // made-up IDs per second, spoofed one-byte datagrams per second
    'id-rate': { type: 'string', default: '50' },
    'udp-rate': { type: 'string', default: '200' },
    'p99-limit': { type: 'string', default: '50' },
    'max-rss': { type: 'string', default: '1536' },
    'property-runs': { type: 'string', default: '5000' },
    // our nodes only (events, geofence, functions): the map example's worldmap node keeps every message it
    // gets until its max age (1 h by default), which at soak rates measures worldmap rather than us
    example: { type: 'string', default: 'geofence.json' },
  },
});
const minutes = Number(values.minutes);
const p99Limit = Number(values['p99-limit']);
const maxRssMiB = Number(values['max-rss']);
const attackNames =
  values.attack === 'all' ? Object.keys(ATTACKS) : values.attack === 'none' ? [] : values.attack.split(',');
for (const a of attackNames) if (!ATTACKS[a]) throw new Error(`--attack: no attack "${a}" (${Object.keys(ATTACKS)})`);

const TCP_PROTOCOLS = ['gt06', 'jt808', 'jt600', 'vt600', 'osmand', 'tk103', 'watch'];
const UDP_FIRST = 50001;
const NEWCOMER_FIRST = 60001;
const NEWCOMERS = 2;
const NEWCOMER_EVERY_MS = 30000;

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** Resolves once the tracker-server accepts connections (it binds after Node-RED has started). */
async function listening(port) {
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function rssOf(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** The IDs a simulator's devices will use. */
function simIds(protocols, first, count, udp = false) {
  return Array.from({ length: count }, (_, i) => {
    const device = DEVICE_PROTOCOLS[protocols[i % protocols.length]];
    return ((udp && device.udp) || device).deviceId(first + i);
  });
}

/**
 * The example's nodes on one tab, plus a soak tab: a tracker-in into tracker-flags (edge mode: state per device)
 * and into a function that counts the honest devices' records, which GET /soak/delivered reports.
 */
function writeFlow(userDir, honest) {
  const nodes = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'examples', values.example), 'utf8'));
  const tab = { id: 'trackers-tab', type: 'tab', label: 'Trackers' };
  for (const n of nodes) if ('wires' in n || n.type === 'comment') n.z = tab.id;
  const server = nodes.find((n) => n.type === 'tracker-server');
  if (!server) throw new Error(`${values.example} has no tracker-server`);
  const z = 'soak-tab';
  const soak = [
    { id: z, type: 'tab', label: 'Soak', env: [{ name: 'SOAK_HONEST', value: JSON.stringify(honest), type: 'json' }] },
    {
      id: 'soak-in',
      z,
      type: 'tracker-in',
      server: server.id,
      filter: 'all',
      events: false,
      wires: [['soak-count', 'soak-flags'], []],
    },
    { id: 'soak-flags', z, type: 'tracker-flags', mode: 'edges', other: 'drop', wires: [[]] },
    {
      id: 'soak-count',
      z,
      type: 'function',
      initialize:
        "flow.set('honest', new Set(env.get('SOAK_HONEST')));\nflow.set('delivered', { records: 0, positions: 0 });",
      func: "if (flow.get('honest').has(msg.topic)) {\n  const d = flow.get('delivered');\n  d.records++;\n  if (msg.payload.type === 'position') d.positions++;\n}\nreturn null;",
      outputs: 1,
      wires: [[]],
    },
    { id: 'soak-http', z, type: 'http in', url: '/soak/delivered', method: 'get', wires: [['soak-report']] },
    {
      id: 'soak-report',
      z,
      type: 'function',
      func: "msg.payload = flow.get('delivered');\nreturn msg;",
      outputs: 1,
      wires: [['soak-res']],
    },
    { id: 'soak-res', z, type: 'http response', wires: [] },
  ];
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify([tab, ...nodes, ...soak], null, 2));
}

/** Latency samples of every honest simulator: this minute's and (reservoir-sampled) the whole run's. */
class Latencies {
  minute = [];
  all = [];
  seen = 0;
  watch(sim) {
    const add = sim.latency.add.bind(sim.latency);
    sim.latency.add = (ms) => {
      add(ms);
      if (!this.recording) return;
      this.minute.push(ms);
      this.seen++;
      if (this.all.length < 2_000_000) this.all.push(ms);
      else {
        const i = Math.floor(Math.random() * this.seen);
        if (i < this.all.length) this.all[i] = ms;
      }
    };
  }
  static p(xs, q) {
    if (!xs.length) return NaN;
    const s = Float64Array.from(xs).sort();
    return s[Math.min(s.length - 1, Math.max(0, Math.ceil((q / 100) * s.length) - 1))];
  }
  takeMinute() {
    const m = this.minute;
    this.minute = [];
    return { p50: Latencies.p(m, 50), p99: Latencies.p(m, 99), count: m.length };
  }
}

const kib = (n) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`);

async function main() {
  const [editorPort, trackerPort] = [await freePort(), await freePort()];
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nr-soak-'));
  const devices = Number(values.devices);
  const udpDevices = Number(values['udp-devices']);
  const newcomerRounds = Math.ceil((minutes * 60000) / NEWCOMER_EVERY_MS) + 1;
  const honest = [
    ...simIds(TCP_PROTOCOLS, 1, devices),
    ...simIds(['teltonika'], UDP_FIRST, udpDevices, true),
    ...simIds(['teltonika'], NEWCOMER_FIRST, newcomerRounds * NEWCOMERS, true),
  ];
  writeFlow(userDir, honest);
  const child = spawn(
    process.execPath,
    ['--expose-gc', '-r', path.join(__dirname, 'soak-probe.js'), path.join(__dirname, 'start.js')],
    {
      env: {
        ...process.env,
        PORT: String(editorPort),
        TRACKER_PORT: String(trackerPort),
        NODE_RED_USER_DIR: userDir,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    },
  );
  /** Node-RED's own figures, through the probe (scripts/soak-probe.js); {} when it does not answer within 10 s. */
  const memory = (gc = false) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        child.off('message', answer);
        resolve({});
      }, 10000);
      const answer = (m) => {
        clearTimeout(timer);
        resolve(m);
      };
      child.once('message', answer);
      child.send(gc ? 'memory-gc' : 'memory');
    });
  // whatever goes wrong from here, Node-RED does not outlive the soak
  process.on('exit', () => child.kill('SIGKILL'));
  await new Promise((resolve) => child.stdout.on('data', (d) => String(d).includes('Trackers:') && resolve()));
  await listening(trackerPort);
  const delivered = async () => {
    const res = await fetch(`http://127.0.0.1:${editorPort}/soak/delivered`).catch(() => undefined);
    return res?.ok ? res.json() : undefined;
  };
  console.log(
    `Node-RED up (pid ${child.pid}); soaking ${minutes} min: ${devices} devices at ${values.rate} positions/s over TCP, ` +
      `${udpDevices} over UDP, ${NEWCOMERS} new UDP devices every ${NEWCOMER_EVERY_MS / 1000} s; ` +
      `attacks: ${attackNames.join(', ') || 'none'}`,
  );

  // honest devices
  const latencies = new Latencies();
  const sims = [];
  let wrongShown = 0;
  const honestSim = (options) => {
    const sim = new Simulator({ port: trackerPort, ...options });
    // the first few in full (a UDP device whose datagram was lost sees every later reply as the wrong one)
    sim.on('wrongReply', (w) => {
      if (++wrongShown <= 5)
        console.log(`wrong reply to ${w.deviceId} (${w.kind}): expected ${w.expected}, got ${w.got}`);
    });
    latencies.watch(sim);
    sims.push(sim);
    return sim;
  };
  const tcp = honestSim({ devices, protocols: TCP_PROTOCOLS, rate: Number(values.rate), heartbeat: 60, sosEvery: 300 });
  const udp = honestSim({
    transport: 'udp',
    devices: udpDevices,
    protocols: ['teltonika'],
    firstIndex: UDP_FIRST,
    rate: udpDevices / 2,
    heartbeat: 60,
  });
  await Promise.all([tcp.start(), udp.start()]);
  await Promise.all([tcp.waitUp(), udp.waitUp()]);
  const startMem = await memory(true);
  console.log(
    `all ${devices + udpDevices} honest devices up; Node-RED rss ${(startMem.rss / 2 ** 20).toFixed(1)} MiB, heap after GC ${(startMem.heapUsed / 2 ** 20).toFixed(1)} MiB`,
  );

  // new UDP devices now and then: a full peer table or rate-limit table would keep them out
  let newcomerRound = 0;
  const newcomers = { started: 0, loggedIn: 0, running: new Set() };
  const newcomer = async () => {
    const sim = honestSim({
      transport: 'udp',
      devices: NEWCOMERS,
      protocols: ['teltonika'],
      firstIndex: NEWCOMER_FIRST + NEWCOMERS * newcomerRound++,
      rate: NEWCOMERS,
    });
    newcomers.running.add(sim);
    newcomers.started += NEWCOMERS;
    await sim.start();
    await new Promise((r) => setTimeout(r, 10000));
    await sim.drain(5000);
    newcomers.loggedIn += sim.counters.logins;
    await sim.stop();
    newcomers.running.delete(sim);
  };
  const newcomerTimer = setInterval(
    () => newcomer().catch((e) => console.log(`newcomer: ${e.message}`)),
    NEWCOMER_EVERY_MS,
  );

  // attackers
  const attacks = attackNames.map((name) =>
    ATTACKS[name](trackerPort, { idRate: Number(values['id-rate']), udpRate: Number(values['udp-rate']) }),
  );
  latencies.recording = true;

  const totals = () => {
    const t = { sent: 0, acked: 0, positionsAcked: 0, alarmsAcked: 0, wrongReplies: 0, unanswered: 0, reconnects: 0 };
    for (const s of sims) for (const k of Object.keys(t)) t[k] += s.counters[k];
    return t;
  };
  let minute = 0;
  let memoryExceeded = false;
  const report = async (label = String(++minute)) => {
    const t = totals();
    const d = await delivered();
    const lat = latencies.takeMinute();
    const mem = await memory(false);
    const rss = rssOf(child.pid);
    const attackText = attacks
      .map((a) => {
        const m = a.tally.take();
        return `${a.name} ${m.units} × ${kib(m.sent)} sent, ${kib(m.back)} back`;
      })
      .join('; ');
    console.log(
      `[${label}] honest: sent ${t.sent}, acknowledged ${t.acked}, positions delivered ${d?.positions ?? '?'} ` +
        `(acknowledged ${t.positionsAcked + t.alarmsAcked}), lost ${t.unanswered}, wrong ${t.wrongReplies}, ` +
        `reconnects ${t.reconnects}, new UDP devices in ${newcomers.loggedIn}/${newcomers.started - NEWCOMERS * newcomers.running.size} | ` +
        `ACK p50 ${lat.p50.toFixed(1)} ms p99 ${lat.p99.toFixed(1)} ms (${lat.count}) | ` +
        `rss ${rss.toFixed(1)} MiB heap ${((mem.heapUsed ?? NaN) / 2 ** 20).toFixed(1)} MiB, ` +
        `event loop stalled ${(mem.loopMaxMs ?? NaN).toFixed(0)} ms at most, GC ${(mem.gcMaxMs ?? NaN).toFixed(0)} ms` +
        (attacks.length ? ` | attackers: ${attackText}` : '') +
        (d ? '' : ' | the flow does not answer'),
    );
  };
  const guard = setInterval(() => {
    if (rssOf(child.pid) > maxRssMiB) memoryExceeded = true;
  }, 2000);
  const reporter = setInterval(() => report().catch((e) => console.log(`report: ${e.message}`)), 60000);
  const deadline = Date.now() + minutes * 60000;
  while (Date.now() < deadline && !memoryExceeded) await new Promise((r) => setTimeout(r, 500));
  clearInterval(reporter);
  clearInterval(guard);
  clearInterval(newcomerTimer);
  for (const a of attacks) a.stop();
  latencies.recording = false;
  if (memoryExceeded) console.log(`Node-RED passed ${maxRssMiB} MiB of RSS: stopped early`);

  // let every honest frame be answered, then count
  while (newcomers.running.size) await new Promise((r) => setTimeout(r, 100));
  await Promise.all([tcp, udp].map((s) => s.drain(10000)));
  await new Promise((r) => setTimeout(r, 500)); // the flow's last records
  await report('end, after the honest devices drained');
  const endMem = await memory(true);
  for (const s of [tcp, udp]) await s.stop(); // the new UDP devices stopped after their round
  const t = totals();
  const d = await delivered();
  const p99 = Latencies.p(latencies.all, 99);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  fs.rmSync(userDir, { recursive: true, force: true });

  const expected = t.positionsAcked + t.alarmsAcked;
  const problems = [];
  if (t.unanswered > 0) problems.push(`${t.unanswered} honest messages never answered`);
  if (t.wrongReplies > 0) problems.push(`${t.wrongReplies} wrong replies`);
  if (!d || d.positions < expected)
    problems.push(`positions delivered to the flow ${d?.positions ?? '?'} < acknowledged ${expected}`);
  if (newcomers.loggedIn < newcomers.started)
    problems.push(`new UDP devices let in ${newcomers.loggedIn}/${newcomers.started}`);
  if (!(p99 < p99Limit)) problems.push(`honest p99 ACK latency ${p99.toFixed(1)} ms (limit ${p99Limit} ms)`);
  if (memoryExceeded) problems.push(`RSS above ${maxRssMiB} MiB`);
  console.log(
    `\nwhole run: honest p99 ACK latency ${p99.toFixed(1)} ms over ${latencies.seen} answers; ` +
      `Node-RED heap after GC ${(startMem.heapUsed / 2 ** 20).toFixed(1)} -> ${(endMem.heapUsed / 2 ** 20).toFixed(1)} MiB, ` +
      `rss ${(startMem.rss / 2 ** 20).toFixed(1)} -> ${(endMem.rss / 2 ** 20).toFixed(1)} MiB`,
  );
  for (const a of attacks)
    console.log(
      `  ${a.name}: ${a.tally.total.units} sent, ${kib(a.tally.total.sent)}; back to them ${kib(a.tally.total.back)}`,
    );
  console.log(problems.length ? `FAILED: ${problems.join('; ')}` : 'honest devices: nothing lost, every answer right');

  let props = { status: 0 };
  if (Number(values['property-runs']) > 0) {
    console.log(`\nproperty tests with ${values['property-runs']} runs each:`);
    props = spawnSync(
      process.execPath,
      [require.resolve('mocha/bin/mocha.js'), '--no-config', '--timeout', '0', 'test/unit/property.spec.js'],
      {
        cwd: path.join(__dirname, '..'),
        env: { ...process.env, PROPERTY_RUNS: values['property-runs'] },
        stdio: 'inherit',
      },
    );
  }
  process.exit(problems.length || props.status !== 0 ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
