/**
 * tracker-sim: simulated trackers against a tracker server. Each device logs in, drives along a route,
 * sends heartbeats and alarms, checks every reply byte, and reconnects with backoff. Prints a live
 * progress line and a summary (devices up, messages sent/acknowledged, wrong replies, ACK latency).
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { gpxRoute } from '../sim/route';
import { DEVICE_PROTOCOLS, Simulator, type SimOptions, type SimSummary } from '../sim/simulator';

const USAGE = `usage: tracker-sim [options]
  --host HOST          server address (default 127.0.0.1)
  --port PORT          server port (default 5023)
  --bind ADDRESS       local address to connect from (TCP)
  --devices N          number of devices (default 10)
  --protocol LIST      device protocols, round-robin: ${Object.keys(DEVICE_PROTOCOLS).join(',')} (default gt06)
  --udp                use UDP instead of TCP
  --interval S         seconds between positions of one device (default 10)
  --rate R             total positions per second instead of --interval
  --heartbeat S        seconds between heartbeats (default 60, 0 = none)
  --sos-every S        each device sends an SOS about every S seconds (default: only on demand)
  --gpx FILE           drive along the track of a GPX file (default: a loop in Berlin)
  --speed KMH          speed along the route (default 40)
  --first N            index of the first device; IDs derive from it (default 1)
  --duration S         stop after S seconds (default: run until Ctrl-C)
  --json               print the summary as JSON
While running, type "sos" (a random device) or "sos N" (device N) and Enter to send an SOS.`;

function num(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} takes a number`);
  return n;
}

function line(s: SimSummary, devices: number): string {
  const c = s.counters;
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');
  return (
    `up ${c.devicesUp}/${devices} | sent ${c.sent} acked ${c.acked} | wrong ${c.wrongReplies} unexpected ${c.unexpectedReplies}` +
    ` | reconnects ${c.reconnects} | ack p50 ${f(s.ackLatencyMs.p50)} ms p99 ${f(s.ackLatencyMs.p99)} ms | ${s.positionsPerSecond.toFixed(0)} pos/s`
  );
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      bind: { type: 'string' },
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
  const options: SimOptions = {
    host: values.host ?? '127.0.0.1',
    localAddress: values.bind,
    port: num(values.port, 'port', 5023),
    devices: num(values.devices, 'devices', 10),
    protocols: (values.protocol ?? 'gt06').split(',').map((s) => s.trim()),
    transport: values.udp ? 'udp' : 'tcp',
    interval: num(values.interval, 'interval', 10),
    rate: values.rate !== undefined ? num(values.rate, 'rate', 0) : undefined,
    heartbeat: num(values.heartbeat, 'heartbeat', 60),
    sosEvery: num(values['sos-every'], 'sos-every', 0),
    speed: num(values.speed, 'speed', 40),
    firstIndex: num(values.first, 'first', 1),
    route: values.gpx ? gpxRoute(values.gpx) : undefined,
  };
  const sim = new Simulator(options);
  const devices = options.devices!;
  sim.on('wrongReply', (w) =>
    process.stderr.write(`wrong reply to ${w.deviceId} ${w.kind}: expected ${w.expected}, got ${w.got}\n`),
  );
  await sim.start();
  const tty = process.stdout.isTTY;
  const progress = setInterval(
    () => {
      const text = line(sim.summary(), devices);
      process.stdout.write(tty ? `\r${text}\x1b[K` : `${text}\n`);
    },
    tty ? 1000 : 5000,
  );
  if (process.stdin.isTTY || !process.stdin.readableEnded) {
    const input = createInterface({ input: process.stdin });
    input.on('line', (l) => {
      const m = /^\s*sos(?:\s+(\d+))?\s*$/i.exec(l);
      if (!m) return;
      const id = sim.sos(m[1] !== undefined ? Number(m[1]) : undefined);
      process.stdout.write(
        `${tty ? '\n' : ''}SOS ${id ? `sent by ${id}` : 'not sent: that device is not connected'}\n`,
      );
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
  if (values.json) process.stdout.write(`${tty ? '\n' : ''}${JSON.stringify(summary)}\n`);
  else process.stdout.write(`${tty ? '\n' : ''}summary: ${line(summary, devices)}\n`);
  return summary.counters.wrongReplies > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`tracker-sim: ${err?.message ?? err}\n${USAGE}\n`);
    process.exit(2);
  },
);
