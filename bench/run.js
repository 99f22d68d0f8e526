'use strict';
// npm run bench: every benchmark in one run, each measurement in its own process, written to BENCHMARKS.md.
// Figures are ratios against baselines measured in the same run on the same machine.
//   node bench/run.js [--quick] [--out FILE] [--only adversarial]
//   --only SECTION: that section alone, printed (written to FILE only with --out)
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { WORKLOADS } = require('./frames');
const { missingEngines } = require('../test/lib/engines');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const out = args.includes('--out') ? args[args.indexOf('--out') + 1] : path.join(__dirname, '..', 'BENCHMARKS.md');
// --before DIR: a checkout of an earlier commit, built (DIR/dist): its decode figures beside ours, same run
const before = args.includes('--before') ? path.resolve(args[args.indexOf('--before') + 1], 'dist', 'index.js') : null;
const sizes = quick
  ? {
      frames: 5000,
      conns: 10,
      secs: 1,
      memDevices: 100,
      rate: 500,
      latDevices: 20,
      latSecs: 1,
      phones: 5,
      commands: 50,
      states: 2000,
      floodIds: 1200,
      floodConc: 10,
    }
  : {
      frames: 500000,
      conns: 200,
      secs: 5,
      memDevices: 10000,
      rate: 10000,
      latDevices: 1000,
      latSecs: 10,
      phones: 50,
      commands: 2000,
      states: 100000,
      floodIds: 30000,
      floodConc: 50,
    };

function run(script, ...argv) {
  return runWith({}, script, ...argv);
}

function runWith(env, script, ...argv) {
  const text = execFileSync(process.execPath, [path.join(__dirname, script), ...argv.map(String)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    env: { ...process.env, ...env },
  });
  return JSON.parse(text.trim().split('\n').pop());
}

const fmt = (n, d = 0) =>
  n === null || n === undefined || !Number.isFinite(n)
    ? 'n/a'
    : n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : 'n/a');

const SECTIONS = { adversarial: adversarialSection };

function main() {
  const started = Date.now();
  const lines = [];
  const log = (s = '') => {
    lines.push(s);
    if (!quick) process.stderr.write(`${s}\n`);
  };
  if (args.includes('--only')) {
    const name = args[args.indexOf('--only') + 1];
    if (!SECTIONS[name]) throw new Error(`--only: one of ${Object.keys(SECTIONS).join(', ')}`);
    const result = SECTIONS[name]((s = '') => lines.push(s));
    process.stdout.write(`${lines.join('\n')}\n`);
    if (args.includes('--out')) fs.writeFileSync(out, `${lines.join('\n')}\n`);
    return { [name]: result };
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  log('# Benchmarks');
  log();
  log(
    `Produced by \`npm run bench\` (\`node bench/run.js${quick ? ' --quick' : ''}\`) on ${new Date().toISOString().slice(0, 10)}:`,
  );
  log(
    `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}.`,
  );
  log('Every figure below was measured in that one run; each measurement runs in its own process.');
  const loadAtStart = os.loadavg()[0];
  log();

  // 1. decode throughput
  log('## Decode throughput (frames/s, in-process, median of 5 runs)');
  log();
  log('`single`: one frame per `push()`; `stream`: 1000 frames per chunk. `noop` has our `push()` contract but only');
  log(
    'splits frames by the length rule of the protocol (the ceiling). `npm parser` is the npm package for the protocol, fed',
  );
  log(
    'the same frames in the same run: `gt06-parser` for GT06, `teltonika-parser` for Teltonika (a Teltonika frame is an',
  );
  log(
    'AVL packet: 1 record in `teltonika avl`, 14 in `teltonika batch`); single frames only, as neither splits a stream.',
  );
  if (before)
    log(
      `\`before\`: the same measurement with the build of an earlier commit (\`--before ${path.relative(path.join(__dirname, '..'), path.dirname(path.dirname(before))) || '.'}\`), for a refactor's before/after.`,
    );
  log();
  const beforeHead = before ? ' before | ours / before |' : '';
  log(`| workload | mode | ours | noop framer | npm parser | ours / npm parser | ours / noop |${beforeHead}`);
  log(`|---|---|---:|---:|---:|---:|---:|${before ? '---:|---:|' : ''}`);
  const decode = {};
  for (const [name, workload] of Object.entries(WORKLOADS)) {
    for (const mode of ['single', 'stream']) {
      const r = {};
      for (const impl of ['ours', 'noop', workload.reference]) {
        if (impl) r[impl] = run('decode.js', impl, name, mode, sizes.frames).framesPerSecond;
      }
      if (before) {
        try {
          r.before = runWith({ BENCH_DIST: before }, 'decode.js', 'ours', name, mode, sizes.frames).framesPerSecond;
        } catch {
          r.before = null; // the earlier build does not speak this protocol yet
        }
      }
      const reference = workload.reference ? r[workload.reference] : undefined;
      decode[`${name} ${mode}`] = { ...r, reference };
      const label = reference ? `${fmt(reference)} (${workload.reference})` : fmt(reference);
      log(
        `| ${name} | ${mode} | ${fmt(r.ours)} | ${fmt(r.noop)} | ${label} | ${ratio(r.ours, reference)} | ${ratio(r.ours, r.noop)} |${before ? ` ${fmt(r.before)} | ${ratio(r.ours, r.before)} |` : ''}`,
      );
    }
  }
  log();

  // 1b. adversarial input
  const adversarial = adversarialSection(log);

  // 2. ingestion
  log(
    `## Ingestion through the server (${sizes.conns} TCP connections pipelining 16 GT06 positions each, ${sizes.secs} s)`,
  );
  log();
  const ingest = {
    ours: run('ingest.js', 'ours', sizes.conns, sizes.secs, 16),
    raw: run('ingest.js', 'raw', sizes.conns, sizes.secs, 16),
  };
  log('| server | acknowledged positions/s | wrong replies |');
  log('|---|---:|---:|');
  log(
    `| TrackerServer (replies checked byte for byte) | ${fmt(ingest.ours.positionsPerSecond)} | ${ingest.ours.wrongReplies} |`,
  );
  log(`| raw \`net\` server: split + fixed ACK (ceiling) | ${fmt(ingest.raw.positionsPerSecond)} | – |`);
  log(`| **ratio** | **${ratio(ingest.ours.positionsPerSecond, ingest.raw.positionsPerSecond)}** | |`);
  log();
  log('The load generator (tracker-sim) runs in a second process on the same machine and shares its cores.');
  log();

  // 2b. HTTP ingestion (phones)
  log(
    `## HTTP ingestion (${sizes.phones} phones, one keep-alive connection each, posting Traccar Client JSON back to back, ${sizes.secs} s)`,
  );
  log();
  const httpIngest = {
    ours: run('ingest.js', 'ours', sizes.phones, sizes.secs, 1, 'osmand'),
    bare: run('ingest.js', 'http', sizes.phones, sizes.secs, 1, 'osmand'),
  };
  log('| server | answered requests/s | wrong answers | p50 | p99 | server CPU per request |');
  log('|---|---:|---:|---:|---:|---:|');
  const httpRow = (name, r) =>
    log(
      `| ${name} | ${fmt(r.positionsPerSecond)} | ${r.wrongReplies} | ${fmt(r.p50, 2)} ms | ${fmt(r.p99, 2)} ms | ${fmt(r.serverCpuMicrosPerMessage, 1)} µs |`,
    );
  httpRow('TrackerServer (detection, handover to Node’s HTTP parser, decoding, identity, records)', httpIngest.ours);
  httpRow('bare `http.Server` answering 200 (ceiling)', httpIngest.bare);
  log(
    `| **ratio** | **${ratio(httpIngest.ours.positionsPerSecond, httpIngest.bare.positionsPerSecond)}** | | | | ${ratio(httpIngest.ours.serverCpuMicrosPerMessage, httpIngest.bare.serverCpuMicrosPerMessage)} |`,
  );
  log();
  log('The phones are tracker-sim’s (Node’s HTTP client, `noDelay`), in a second process sharing the cores: the');
  log('rate depends on how much CPU each server leaves them; the CPU time per request is what each server spends.');
  log();

  // 3. memory
  log(`## Memory per connected device (${fmt(sizes.memDevices)} GT06 devices logged in, server RSS after GC)`);
  log();
  const mem = { ours: run('memory.js', 'ours', sizes.memDevices), raw: run('memory.js', 'raw', sizes.memDevices) };
  log('| server | RSS per device | V8 heap per device |');
  log('|---|---:|---:|');
  log(
    `| TrackerServer | ${fmt(mem.ours.bytesPerDevice / 1024, 2)} KiB | ${fmt(mem.ours.heapPerDevice / 1024, 2)} KiB |`,
  );
  log(
    `| raw \`net\` server, idle sockets | ${fmt(mem.raw.bytesPerDevice / 1024, 2)} KiB | ${fmt(mem.raw.heapPerDevice / 1024, 2)} KiB |`,
  );
  log(`| **ratio** | **${ratio(mem.ours.bytesPerDevice, mem.raw.bytesPerDevice)}** | |`);
  log();

  // 4. latency
  log(
    `## ACK latency at a fixed offered load (${fmt(sizes.rate)} positions/s over ${fmt(sizes.latDevices)} connections, ${sizes.latSecs} s)`,
  );
  log();
  const lat = {
    ours: run('latency.js', 'ours', sizes.rate, sizes.latDevices, sizes.latSecs),
    raw: run('latency.js', 'raw', sizes.rate, sizes.latDevices, sizes.latSecs),
  };
  log('| server | achieved positions/s | p50 | p99 |');
  log('|---|---:|---:|---:|');
  log(
    `| TrackerServer | ${fmt(lat.ours.achievedPerSecond)} | ${fmt(lat.ours.p50, 2)} ms | ${fmt(lat.ours.p99, 2)} ms |`,
  );
  log(
    `| raw \`net\` server | ${fmt(lat.raw.achievedPerSecond)} | ${fmt(lat.raw.p50, 2)} ms | ${fmt(lat.raw.p99, 2)} ms |`,
  );
  log();
  log('Latency is measured by the load generator from write to the matching ACK; it includes its own 10 ms send tick.');
  log();

  // 4b. ID flood
  const flood = run('flood.js', sizes.floodIds, sizes.floodConc, sizes.secs);
  log(
    `## ID flood through Node-RED (${fmt(sizes.floodIds)} made-up GT06 IDs, ${sizes.floodConc} connections at a time)`,
  );
  log();
  log('tracker-server → tracker-in (events on) → tracker-flags (edge mode), in Node-RED. Each connection logs in,');
  log('sends a heartbeat with status bits and leaves once both are acknowledged: with one ID per connection slot');
  log(
    `(reused, ${sizes.secs} s), then with a new ID every time. Meanwhile a real device on its own connection sends a position`,
  );
  log('every 20 ms: its ACK latency in each phase.');
  log();
  log('| phase | messages/s | real device p50 | p99 | max |');
  log('|---|---:|---:|---:|---:|');
  const dev = (d) => `${fmt(d.p50, 2)} ms | ${fmt(d.p99, 2)} ms | ${fmt(d.max, 2)} ms`;
  log(`| ${sizes.floodConc} IDs, reused | ${fmt(flood.reused.messagesPerSecond)} | ${dev(flood.reused.device)} |`);
  log(`| ${fmt(sizes.floodIds)} new IDs | ${fmt(flood.flood.messagesPerSecond)} | ${dev(flood.flood.device)} |`);
  const last = flood.flood.blocks.at(-1);
  log(
    `| new IDs, the last sixth (${fmt((sizes.floodIds * 5) / 6)} to ${fmt(sizes.floodIds)} known) | ${fmt(last)} | | | |`,
  );
  log(`| **ratio last sixth / reused** | **${ratio(last, flood.reused.messagesPerSecond)}** | | | |`);
  log();
  log(
    `Server RSS at the end: ${fmt(flood.rssMiB)} MiB. The load generator runs in a second process on the same cores.`,
  );
  log();

  // 5. cluster mode
  const cluster = clusterSection(log);

  // targets
  const g = decode['gt06 location single'];
  const gs = decode['gt06 location stream'];
  const t = decode['teltonika avl single'];
  log('## Targets (issues 8, 14 and 16)');
  log();
  log('| target | measured | met |');
  log('|---|---|---|');
  const row = (t, m, ok) => log(`| ${t} | ${m} | ${ok ? 'yes' : '**no**'} |`);
  row('GT06 decode ≥ 5× gt06-parser (single frames)', ratio(g.ours, g['gt06-parser']), g.ours >= 5 * g['gt06-parser']);
  row('GT06 decode ≥ 50% of the no-op framer (stream)', ratio(gs.ours, gs.noop), gs.ours >= 0.5 * gs.noop);
  row('Teltonika decode ≥ 5× teltonika-parser (single packets)', ratio(t.ours, t.reference), t.ours >= 5 * t.reference);
  row(
    'ingestion ≥ 50% of the raw ACK server',
    ratio(ingest.ours.positionsPerSecond, ingest.raw.positionsPerSecond),
    ingest.ours.positionsPerSecond >= 0.5 * ingest.raw.positionsPerSecond,
  );
  row(
    'memory ≤ 2× the raw socket per device',
    ratio(mem.ours.bytesPerDevice, mem.raw.bytesPerDevice),
    mem.ours.bytesPerDevice <= 2 * mem.raw.bytesPerDevice,
  );
  row('p99 ACK latency ≤ 10 ms at the offered load', `${fmt(lat.ours.p99, 2)} ms`, lat.ours.p99 <= 10);
  row(
    'ID flood: messages/s with the most IDs known ≥ 50% of reused IDs',
    ratio(last, flood.reused.messagesPerSecond),
    last >= 0.5 * flood.reused.messagesPerSecond,
  );
  row(
    'ID flood: a real device’s p99 ACK latency < 50 ms',
    `${fmt(flood.flood.device.p99, 2)} ms`,
    flood.flood.device.p99 < 50,
  );
  log();
  log(`Run time: ${((Date.now() - started) / 1000).toFixed(0)} s.`);
  // other processes on the machine slow some measurements more than others: the ratios say less when it is busy
  log(
    `Load average (1 min) at the start and the end of the run: ${loadAtStart.toFixed(2)} and ${os.loadavg()[0].toFixed(2)}, on ${os.cpus().length} cores.`,
  );
  // What was profiled and changed to get here (hand-written, kept with the benchmark code).
  const notes = path.join(__dirname, 'NOTES.md');
  if (!quick && fs.existsSync(notes)) {
    log();
    log(fs.readFileSync(notes, 'utf8').trimEnd());
  }
  fs.writeFileSync(out, `${lines.join('\n')}\n`);
  return { decode, ingest, httpIngest, mem, lat, flood, cluster, adversarial };
}

/** Start markers repeated (framing and detection must stay O(bytes)) against random junk, same run. */
function adversarialSection(log) {
  const size = quick ? 8 * 1024 : 64 * 1024;
  const r = quick ? run('adversarial.js', size, 4096, 16) : run('adversarial.js', size);
  log(`## Adversarial input (bytes/s through \`push()\`, ${size / 1024} KiB per push, median of 5)`);
  log();
  log('Every start marker of every protocol, with broken and lying headers after it (`test/lib/markers.js`: GT06');
  log('`78 78 ff`, JT/T 808 `7e` and `(`, JT600 `$` and `(`, VT600 `&&`, H02 `*HQ,`, GPS103 `imei:`, watch `[SG*`,');
  log('Teltonika `00 00 00 00` + length, HTTP `GET /`...), repeated to fill a push; the worst of them per session,');
  log('against random bytes in the same session. A framer that searched again from every marker for the end of a');
  log('frame would be thousands of times slower here (64 KiB of `78 78 ff` took over a second before issue 14).');
  log('A pinned session skips random bytes with one search; a detecting one asks every protocol at every offset.');
  log();
  const mb = (v) => `${fmt(v / 1e6, 1)} MB/s`;
  const times = (a, b) => `${(a / b).toPrecision(2)}×`;
  // hex bytes, and the text they spell when they do
  const shape = (hex) => {
    const b = Buffer.from(hex, 'hex');
    const text = b.every((c) => c >= 0x20 && c < 0x7f) ? ` (\`${b.toString('latin1')}\`)` : '';
    return `\`${hex.replace(/(..)(?=.)/g, '$1 ')}\`${text}`;
  };
  const table = (pick) => {
    log('| session | random junk | worst shape | its bytes/s | worst / random | worst / random junk while detecting |');
    log('|---|---:|---|---:|---:|---:|');
    const detecting = pick(r.rows[0]).random;
    for (const row of r.rows) {
      const m = pick(row);
      log(
        `| ${row.session} | ${mb(m.random)} | ${shape(m.shape)} | ${mb(m.worst)} | ${times(m.worst, m.random)} | ${times(m.worst, detecting)} |`,
      );
    }
    log();
  };
  table((row) => row);
  log(
    `The same, ${r.drip.bytes / 1024} KiB of each arriving ${r.drip.piece} bytes per push (what an attacker can make of TCP): every`,
  );
  log('push has the bytes held from earlier ones ahead of its own, and none of them may be examined again in full.');
  log();
  table((row) => row.drip);
  return r;
}

/** HAProxy + PROXY v2 against direct connections, and commands through the broker against local ones. */
function clusterSection(log) {
  log('## Cluster mode: HAProxy with PROXY v2, commands through Mosquitto');
  log();
  const missing = missingEngines('haproxy', 'mosquitto');
  if (missing) {
    log(`Skipped: ${missing}.`);
    log();
    return undefined;
  }
  const via = {
    direct: run('ingest.js', 'proxied', sizes.conns, sizes.secs, 16, 'gt06', 'direct'),
    haproxy: run('ingest.js', 'proxied', sizes.conns, sizes.secs, 16, 'gt06', 'haproxy'),
  };
  log(
    `Ingestion, ${sizes.conns} TCP connections pipelining 16 GT06 positions each, ${sizes.secs} s; one TrackerServer that trusts`,
  );
  log('PROXY headers from 127.0.0.1 (direct clients connect from 127.0.0.2).');
  log();
  log('| route | acknowledged positions/s | wrong replies |');
  log('|---|---:|---:|');
  log(`| direct to the server | ${fmt(via.direct.positionsPerSecond)} | ${via.direct.wrongReplies} |`);
  log(`| through HAProxy (\`send-proxy-v2\`) | ${fmt(via.haproxy.positionsPerSecond)} | ${via.haproxy.wrongReplies} |`);
  log(`| **ratio** | **${ratio(via.haproxy.positionsPerSecond, via.direct.positionsPerSecond)}** | |`);
  log();
  log('HAProxy, the server and the load generator share the same cores here; the server itself does one thing more');
  log('per connection (read the header), nothing more per position.');
  log();
  const cmd = {
    local: run('commands.js', 'local', sizes.commands),
    remote: run('commands.js', 'remote', sizes.commands),
    nagle: run('commands.js', 'remote-nagle', Math.max(50, sizes.commands / 10)),
  };
  log(
    `Command latency, ${fmt(sizes.commands)} GT06 commands one at a time, two instances and Mosquitto on this machine: until the`,
  );
  log(
    "frame reaches the device, and until the device's immediate answer comes out of the issuing instance as `result`.",
  );
  log();
  log('| command | to the device p50 | p99 | result at the issuer p50 | p99 |');
  log('|---|---:|---:|---:|---:|');
  const ms = (v) => `${fmt(v, 2)} ms`;
  const cmdRow = (label, r) =>
    log(`| ${label} | ${ms(r.toDevice.p50)} | ${ms(r.toDevice.p99)} | ${ms(r.toResult.p50)} | ${ms(r.toResult.p99)} |`);
  cmdRow('local (device on the issuing instance)', cmd.local);
  cmdRow('remote (device on the other instance; Mosquitto `set_tcp_nodelay true`)', cmd.remote);
  cmdRow('remote, Mosquitto default (`set_tcp_nodelay false`)', cmd.nagle);
  log(
    `| **broker hop adds (p50)** | **${ms(cmd.remote.toDevice.p50 - cmd.local.toDevice.p50)}** | | **${ms(cmd.remote.toResult.p50 - cmd.local.toResult.p50)}** | |`,
  );
  log();
  const mirror = { ours: run('mirror.js', 'ours', sizes.states), raw: run('mirror.js', 'raw', sizes.states) };
  log(
    `Shared device state taken in by one instance: ${fmt(sizes.states)} tracker-in states (${mirror.ours.bytes} bytes each) published`,
  );
  log('by another client through Mosquitto, QoS 1. Every instance receives every device’s state, at most once per');
  log('state interval (15 s by default) while the device changes: this is the figure that bounds a cluster.');
  log();
  log('| receiver | states/s |');
  log('|---|---:|');
  log(`| a cluster instance (SharedState, parsed and handed to the node) | ${fmt(mirror.ours.perSecond)} |`);
  log(`| a bare MQTT.js client that only counts (ceiling here) | ${fmt(mirror.raw.perSecond)} |`);
  log(`| **ratio** | **${ratio(mirror.ours.perSecond, mirror.raw.perSecond)}** |`);
  log();
  return { via, cmd, mirror };
}

module.exports = { main };
if (require.main === module) main();
