'use strict';
// How fast one cluster instance takes in the per-device state that the other instances share (tracker-in's
// event state: what every instance receives for every device that changes, at most once per state interval).
// Another MQTT client publishes `count` device states (QoS 1, retained, the size tracker-in sends) through a real
// Mosquitto; the instance's SharedState receives and parses them (`ours`), or a bare MQTT.js client only counts
// them (`raw`: the ceiling of this broker and client on this machine). Usage: node bench/mirror.js ours|raw [count]
const mqtt = require('mqtt');
const { TrackerServer, DeviceEventTracker } = require('../dist/index.js');
const { startMosquitto } = require('../test/lib/engines');

async function main() {
  const [kind = 'ours', countArg = '100000'] = process.argv.slice(2);
  const count = Number(countArg);
  const broker = await startMosquitto();
  const server =
    kind === 'ours'
      ? new TrackerServer({ port: 0, host: '127.0.0.1', udp: false, cluster: { url: broker.url, prefix: 'm' } })
      : undefined;
  const bare = kind === 'raw' ? mqtt.connect(broker.url, { protocolVersion: 5 }) : undefined;
  const bareUp = bare && new Promise((r) => bare.once('connect', r));
  const publisher = mqtt.connect(broker.url, { protocolVersion: 5 });
  const publisherUp = new Promise((r) => publisher.once('connect', r));
  try {
    await server?.listen();
    await bareUp;
    await publisherUp;
    // A realistic state: a device that has driven a while, as tracker-in shares it.
    const events = new DeviceEventTracker({ timeZone: 'UTC' });
    const t = Date.parse('2026-12-01T10:00:00Z');
    events.connected('d', 'gt06', t);
    for (let i = 0; i < 5; i++)
      events.update(
        {
          protocol: 'gt06',
          deviceId: 'd',
          type: 'position',
          time: new Date(t + i * 1e4).toISOString(),
          lat: 52.5 + i / 1e3,
          lon: 13.4,
          speed: 40,
          valid: true,
          alarms: [],
          ignition: true,
        },
        t + i * 1e4,
      );
    const state = events.deviceState('d');
    let received = 0;
    let done;
    const all = new Promise((r) => {
      done = r;
    });
    const one = () => {
      if (++received === count) done();
    };
    server?.cluster.shareState('events/bench', { remote: one, *local() {} });
    bare?.on('message', one);
    bare?.subscribe('m/state/events%2Fbench/+', { qos: 1 });
    await new Promise((r) => setTimeout(r, 200)); // subscribed
    const from = { instance: 'publisher', run: 'x' };
    const payload = (i) => JSON.stringify({ v: 1, from, state: { ...state, lastSeen: t + i } });
    const bytes = Buffer.byteLength(payload(0));
    const started = process.hrtime.bigint();
    let inFlight = 0;
    for (let i = 0; i < count; i++) {
      // a bounded window of unacknowledged messages, as a busy instance would have
      while (inFlight >= 500) await new Promise((r) => setImmediate(r));
      inFlight++;
      publisher.publish(`m/state/events%2Fbench/dev${i}`, payload(i), { qos: 1, retain: true }, () => inFlight--);
    }
    await all;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stdout.write(`${JSON.stringify({ kind, count, bytes, seconds, perSecond: count / seconds })}\n`);
  } finally {
    publisher.end(true);
    bare?.end(true);
    await server?.close();
    await broker.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
