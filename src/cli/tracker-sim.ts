/**
 * tracker-sim: simulated trackers against a tracker server. Each device logs in, drives along a route,
 * sends heartbeats and alarms, checks every reply byte, and reconnects with backoff. Prints a live
 * progress line and a summary (devices up, messages sent/acknowledged, wrong replies, ACK latency).
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { claimIdBlocks, ID_BLOCK_SIZE } from '../sim/id-blocks';
import { gpxRoute } from '../sim/route';
import { DEVICE_PROTOCOLS, Simulator, type SimOptions, type SimSummary } from '../sim/simulator';

const USAGE = `usage: tracker-sim [options]
  --host HOST          server address (default 127.0.0.1)
  --port PORT          server port (default: $TRACKER_PORT, else 5023)
  --devices N          number of devices (default 10)
  --protocol LIST      device protocols, round-robin: ${Object.keys(DEVICE_PROTOCOLS).join(',')} (default gt06)
  --udp                use UDP instead of TCP
  --interval S         seconds between positions of one device (default 10)
  --rate R             total positions per second instead of --interval
  --heartbeat S        seconds between heartbeats (default 60, 0 = none)
  --sos-every S        each device sends an SOS about every S seconds (default: only on demand)
  --gpx FILE           drive along the track of a GPX file (default: a loop in Berlin)
  --speed KMH          speed along the route (default 40)
  --first N            index of the first device; IDs derive from it (default: 1, or the next free block of
                       ${ID_BLOCK_SIZE} while other simulators run on this machine, so that they never share IDs)
  --duration S         stop after S seconds (default: run until Ctrl-C)
  --json               print only the summary, as JSON, on stdout (progress goes to stderr)
While running, type "sos" (a random device) or "sos N" (device N) and Enter to send an SOS.
Exits with 1 when a reply was wrong or no device could log in.`;

function num(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} takes a number`);
  return n;
}

/** A rate with the digits that matter: 0.5 pos/s is not "0 pos/s". */
function rate(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function line(s: SimSummary, devices: number): string {
  const c = s.counters;
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');
  return (
    `up ${c.devicesUp}/${devices} | sent ${c.sent} acked ${c.acked} | wrong ${c.wrongReplies} unexpected ${c.unexpectedReplies}` +
    ` | reconnects ${c.reconnects} | ack p50 ${f(s.ackLatencyMs.p50)} ms p99 ${f(s.ackLatencyMs.p99)} ms | ${rate(s.positionsPerSecond)} pos/s`
  );
}

/** What a failed connection means, once per kind of failure. */
function connectProblem(err: NodeJS.ErrnoException, host: string, port: number): string {
  const where = `${host}:${port}`;
  if (err.code === 'ECONNREFUSED')
    return `connection refused by ${where}: nothing listens there (is Node-RED running with a tracker-server on port ${port}? see --port / TRACKER_PORT)`;
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return `cannot resolve ${host}`;
  if (err.code === 'ETIMEDOUT' || err.code === 'EHOSTUNREACH')
    return `no answer from ${where}: check the address and the firewall`;
  return `connection to ${where} failed: ${err.message}`;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      devices: { type: 'string' },
      protocol: { type: 'string' },
      udp: { type: 'boolean' },
      interval: { type: 'string' },
      rate: { type: 'string' },
      heartbeat: { type: 'string' },
      'sos-every': { type: 'string' },
      gpx: { type: 'string' },
      speed: { type: 'string' },
      first: { type: 'string' },
      duration: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const devicesWanted = num(values.devices, 'devices', 10);
  const claim = values.first === undefined ? claimIdBlocks(devicesWanted) : undefined;
  const options: SimOptions = {
    host: values.host ?? '127.0.0.1',
    port: num(values.port ?? (process.env.TRACKER_PORT || undefined), 'port', 5023),
    devices: devicesWanted,
    protocols: (values.protocol ?? 'gt06').split(',').map((s) => s.trim()),
    transport: values.udp ? 'udp' : 'tcp',
    interval: num(values.interval, 'interval', 10),
    rate: values.rate !== undefined ? num(values.rate, 'rate', 0) : undefined,
    heartbeat: num(values.heartbeat, 'heartbeat', 60),
    sosEvery: num(values['sos-every'], 'sos-every', 0),
    speed: num(values.speed, 'speed', 40),
    firstIndex: claim ? claim.firstIndex : num(values.first, 'first', 1),
    route: values.gpx ? gpxRoute(values.gpx) : undefined,
  };
  const sim = new Simulator(options);
  const devices = options.devices!;
  // --json keeps stdout for the summary alone: everything for people goes to stderr then
  const human = values.json ? process.stderr : process.stdout;
  const tty = human.isTTY;
  const say = (text: string) => human.write(`${tty ? '\r\x1b[K' : ''}${text}\n`);
  sim.on('wrongReply', (w) =>
    process.stderr.write(`wrong reply to ${w.deviceId} ${w.kind}: expected ${w.expected}, got ${w.got}\n`),
  );
  const reported = new Set<string>();
  sim.on('connectError', (err: NodeJS.ErrnoException) => {
    const text = connectProblem(err, options.host!, options.port);
    if (reported.has(text)) return;
    reported.add(text);
    process.stderr.write(`${tty ? '\r\x1b[K' : ''}tracker-sim: ${text}; retrying\n`);
  });
  // the IDs this run uses (device i speaks the i-th protocol of the list, round-robin)
  const idOf = (i: number) =>
    DEVICE_PROTOCOLS[options.protocols![i % options.protocols!.length]].deviceId(options.firstIndex! + i);
  if (devices > 0)
    say(
      `tracker-sim: ${devices} device(s) to ${options.host}:${options.port} over ${options.transport}, ` +
        `IDs ${idOf(0)}${devices > 1 ? ` ... ${idOf(devices - 1)}` : ''}`,
    );
  await sim.start();
  const progress = setInterval(
    () => {
      const text = line(sim.summary(), devices);
      human.write(tty ? `\r${text}\x1b[K` : `${text}\n`);
    },
    tty ? 1000 : 5000,
  );
  if (process.stdin.isTTY || !process.stdin.readableEnded) {
    const input = createInterface({ input: process.stdin });
    input.on('line', (l) => {
      const m = /^\s*sos(?:\s+(\d+))?\s*$/i.exec(l);
      if (!m) return;
      const id = sim.sos(m[1] !== undefined ? Number(m[1]) : undefined);
      say(`SOS ${id ? `sent by ${id}` : 'not sent: that device is not connected'}`);
    });
    input.on('close', () => {});
  }
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (values.duration !== undefined) setTimeout(done, num(values.duration, 'duration', 0) * 1000);
  });
  clearInterval(progress);
  const summary = await sim.stop();
  claim?.release();
  if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else say(`summary: ${line(summary, devices)}`);
  if (devices > 0 && summary.counters.logins === 0) {
    process.stderr.write(`tracker-sim: no device could log in to ${options.host}:${options.port}\n`);
    return 1;
  }
  return summary.counters.wrongReplies > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`tracker-sim: ${err?.message ?? err}\n${USAGE}\n`);
    process.exit(2);
  },
);
