'use strict';
// Two Node-RED instances (child processes, same flow) behind a real HAProxy sending PROXY v2 headers, sharing
// devices through a real Mosquitto: simulated devices of every protocol spread over both with their real
// addresses; a command injected on A for a device on B, its result out of A; a queued command delivered once
// through the other instance; no second geofenceEnter; B killed and its devices continuing on A; the broker
// restarted and commands still flowing. Devices connect from distinct loopback addresses (127.0.0.x) so that
// the address each instance sees can only have come from the PROXY header.
const assert = require('node:assert/strict');
const { DEVICE_PROTOCOLS, Simulator } = require('../../dist/index.js');
const { tcpClient, delay, freePort } = require('../lib/clients');
const { missingEngines, startMosquitto, startHaproxy } = require('../lib/engines');
const { gt06Answer, gt06Commands, gt06Position } = require('../lib/gt06');
const { startRedProcess } = require('../lib/red-process');
const F = require('../fixtures/gt06-frames');

const DEPOT = { lat: 52.52, lon: 13.405 };
const TAPS = ['positions', 'events', 'crossings', 'statuses'];

/** A node property Node-RED fills from the environment variable `name` (each instance has its own). */
const fromEnv = (name) => `\${${name}}`;

function flow() {
  return [
    { id: 'tab', type: 'tab', label: 'cluster' },
    {
      id: 'srv',
      type: 'tracker-server',
      port: fromEnv('TRACKER_PORT'),
      host: '127.0.0.1',
      tcp: true,
      udp: false,
      trustedProxies: '127.0.0.1',
      brokerUrl: fromEnv('BROKER_URL'),
      brokerPrefix: fromEnv('PREFIX'),
      instanceName: fromEnv('INSTANCE'),
    },
    { id: 'in', z: 'tab', type: 'tracker-in', server: 'srv', wires: [['positions', 'geo'], ['events']] },
    {
      id: 'geo',
      z: 'tab',
      type: 'tracker-geofence',
      server: 'srv',
      zones: [{ name: 'depot', type: 'circle', lat: DEPOT.lat, lon: DEPOT.lon, radius: 300 }],
      wires: [[], ['crossings']],
    },
    { id: 'cmd', z: 'tab', type: 'tracker-command', server: 'srv', command: 'payload', wires: [['statuses']] },
    ...TAPS.map((id) => ({ id, z: 'tab', type: 'debug', active: false, tosidebar: false, console: false })),
  ];
}

/** Polls an async `check` until it is truthy (returns it), or fails after `ms`. */
async function until(check, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await delay(25);
  }
}

describe('cluster: two Node-RED instances behind HAProxy (PROXY v2) sharing a Mosquitto broker', function () {
  this.timeout(60000);
  const missing = missingEngines('haproxy', 'mosquitto');
  let broker;
  let haproxy;
  const red = {};
  const clients = [];

  before(async function () {
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    broker = await startMosquitto();
    const prefix = `e2e-${Math.random().toString(36).slice(2, 8)}`;
    const ports = { a: await freePort(), b: await freePort() };
    await Promise.all(
      ['a', 'b'].map(async (name) => {
        red[name] = await startRedProcess({
          name,
          flows: flow(),
          taps: TAPS,
          settings: { trackerServerStateInterval: 1 },
          env: { TRACKER_PORT: String(ports[name]), BROKER_URL: broker.url, PREFIX: prefix, INSTANCE: name },
        });
      }),
    );
    for (const name of ['a', 'b'])
      await until(
        async () => (await red[name].server()).cluster?.instances.length === 2,
        15000,
        `${name} in the cluster`,
      );
    haproxy = await startHaproxy({
      servers: [
        { name: 'a', port: ports.a },
        { name: 'b', port: ports.b },
      ],
    });
  });

  afterEach(function () {
    if (this.currentTest.state !== 'failed') return;
    for (const [name, r] of Object.entries(red)) {
      console.log(`--- Node-RED ${name} log:\n${r.log()}`);
      console.log(
        `--- ${name} taps: ${JSON.stringify(Object.fromEntries(TAPS.map((t) => [t, r.received[t].slice(-5)])))}`,
      );
    }
  });

  after(async () => {
    for (const c of clients) c.destroy();
    await Promise.all(Object.values(red).map((r) => r.stop()));
    await haproxy?.stop();
    await broker?.stop();
  });

  const alive = () =>
    Object.keys(red).filter((n) => red[n].child.exitCode === null && red[n].child.signalCode === null);

  /** The instance ('a', 'b') the device is connected to, once every running instance's directory agrees. */
  async function where(imei) {
    const seen = await Promise.all(alive().map(async (n) => [n, await red[n].server(imei)]));
    const on = seen.find(([, s]) => s.devices.some((d) => d.deviceId === imei))?.[0];
    return seen.every(([, s]) => s.holder === on) ? on : undefined;
  }

  /** A GT06 device logged in through HAProxy from `local`; reconnects until it lands on `want` (if given). */
  async function device(imei, local, want) {
    for (let attempt = 0; attempt < 6; attempt++) {
      const c = await tcpClient(haproxy.port, '127.0.0.1', local);
      c.write(F.login(imei));
      await c.waitFor(10);
      const on = await until(() => where(imei), 3000, `${imei} registered`);
      if (!want || on === want) {
        clients.push(c);
        c.instance = on;
        return c;
      }
      c.destroy();
      await until(async () => !(await where(imei)), 3000, `${imei} gone`);
    }
    assert.fail(`${imei} never landed on ${want}`);
  }

  /** Messages a tap received on an instance about one device. */
  const about = (name, tap, imei) => red[name].received[tap].filter((m) => m.topic === imei);
  const positions = (name, imei) => about(name, 'positions', imei).filter((m) => m.payload.type === 'position');
  const events = (name, imei, event) => about(name, 'events', imei).filter((m) => m.payload.event === event);
  const statuses = (name, id) =>
    red[name].received.statuses.filter((m) => m.payload.id === id).map((m) => m.payload.status);

  it('simulated devices of every protocol spread over both instances, seen at their real address', async () => {
    const protocols = Object.keys(DEVICE_PROTOCOLS);
    assert.ok(protocols.length >= 4, `${protocols} simulated`);
    const sim = new Simulator({
      port: haproxy.port,
      devices: 2 * protocols.length,
      protocols,
      interval: 1,
      localAddress: '127.0.0.7',
      firstIndex: 500,
    });
    await sim.start();
    try {
      await sim.waitUp();
      const online = () =>
        ['a', 'b'].flatMap((n) => red[n].received.events.filter((m) => m.payload.event === 'online'));
      await until(() => online().length >= 2 * protocols.length, 10000, 'every simulated device online');
      await until(
        () =>
          new Set(['a', 'b'].flatMap((n) => red[n].received.positions.map((m) => m.topic))).size >= protocols.length,
        10000,
        'positions',
      );
      const byInstance = { a: new Set(), b: new Set() };
      for (const n of ['a', 'b'])
        for (const m of red[n].received.events) if (m.payload.event === 'online') byInstance[n].add(m.payload.deviceId);
      assert.ok(byInstance.a.size > 0 && byInstance.b.size > 0, 'both instances serve devices');
      assert.equal(byInstance.a.size + byInstance.b.size, 2 * protocols.length, 'each device online once');
      for (const m of online()) assert.equal(m.payload.remoteAddress, '127.0.0.7', 'the address from PROXY v2');
      const seenProtocols = new Set(
        ['a', 'b'].flatMap((n) => red[n].received.positions.map((m) => m.payload.protocol)),
      );
      assert.ok(seenProtocols.size >= 4, `positions of ${[...seenProtocols]}`);
      for (const n of ['a', 'b'])
        for (const m of red[n].received.positions) assert.equal(m.tracker.remoteAddress, '127.0.0.7');
      assert.equal(sim.counters.wrongReplies, 0);
    } finally {
      await sim.stop();
    }
  });

  it('a command injected on A reaches the device on B; its statuses and result come out of A', async () => {
    const imei = '861000000000001';
    const c = await device(imei, '127.0.0.2', 'b');
    red.a.inject('cmd', { topic: imei, payload: { type: 'engineStop' } });
    await until(() => gt06Commands(c.received).length === 1, 5000, 'the command at the device');
    const [frame] = gt06Commands(c.received);
    assert.equal(frame.text, 'Relay,1#');
    const id = await until(() => red.a.received.statuses.find((m) => m.topic === imei)?.payload.id, 3000, 'a status');
    c.write(gt06Answer(frame.flag, 'DYD=Success!'));
    await until(() => statuses('a', id).includes('result'), 5000, 'the result out of A');
    assert.deepEqual(statuses('a', id), ['queued', 'sent', 'result']);
    assert.equal(red.a.received.statuses.find((m) => m.payload.status === 'result').payload.result, 'DYD=Success!');
    assert.deepEqual(statuses('b', id), [], 'B’s node is silent');
    assert.equal(events('b', imei, 'online')[0].payload.remoteAddress, '127.0.0.2');
    c.destroy();
  });

  it('a command queued for an offline device is delivered once, through the other instance', async () => {
    const imei = '861000000000002';
    const first = await device(imei, '127.0.0.3', 'b');
    first.destroy();
    await until(() => events('b', imei, 'offline').length === 1, 3000, 'offline on B');
    red.b.inject('cmd', { topic: imei, payload: { type: 'custom', text: 'WHERE#' } });
    const id = await until(() => red.b.received.statuses.find((m) => m.topic === imei)?.payload.id, 3000, 'queued');
    assert.deepEqual(statuses('b', id), ['queued']);
    const again = await device(imei, '127.0.0.3', 'a');
    await until(() => statuses('b', id).includes('sent'), 5000, 'sent, reported to B');
    await delay(300);
    assert.deepEqual(
      gt06Commands(again.received).map((f) => f.text),
      ['WHERE#'],
      'once',
    );
    assert.deepEqual(statuses('b', id), ['queued', 'sent']);
    assert.deepEqual(statuses('a', id), []);
    again.destroy();
  });

  it('a device inside a geofence that reconnects through the other instance gets no second enter', async () => {
    const imei = '861000000000003';
    const t0 = Date.now() - 60000;
    const at = (i, p) => gt06Position({ ...p, speed: 0, time: new Date(t0 + i * 10000) }, i + 2);
    const c = await device(imei, '127.0.0.4', 'a');
    c.write(at(0, DEPOT));
    await until(() => about('a', 'crossings', imei).length === 1, 3000, 'geofenceEnter on A');
    assert.equal(about('a', 'crossings', imei)[0].payload.event, 'geofenceEnter');
    c.destroy();
    const d = await device(imei, '127.0.0.4', 'b');
    d.write(at(1, { lat: DEPOT.lat + 0.0005, lon: DEPOT.lon }));
    await until(() => positions('b', imei).length === 1, 3000, 'the position on B');
    await delay(200);
    assert.deepEqual(about('b', 'crossings', imei), [], 'no second geofenceEnter');
    d.write(at(2, { lat: DEPOT.lat + 0.02, lon: DEPOT.lon }));
    await until(() => about('b', 'crossings', imei).length === 1, 3000, 'the exit, on B');
    assert.equal(about('b', 'crossings', imei)[0].payload.event, 'geofenceExit');
    d.destroy();
  });

  it('after a broker restart commands still flow between the instances', async () => {
    const imei = '861000000000004';
    const c = await device(imei, '127.0.0.5', 'b');
    await broker.restart();
    await until(async () => (await red.a.server(imei)).holder === 'b', 15000, 'A to see the device on B again');
    red.a.inject('cmd', { topic: imei, payload: { type: 'custom', text: 'AFTER#' } });
    await until(() => gt06Commands(c.received).some((f) => f.text === 'AFTER#'), 5000, 'the command');
    const id = red.a.received.statuses.find((m) => m.topic === imei).payload.id;
    await until(() => statuses('a', id).includes('sent'), 3000, 'sent');
    c.destroy();
  });

  it('B is killed: its devices reconnect through HAProxy to A and continue (no second online, mileage goes on)', async () => {
    const imei = '861000000000005';
    const t0 = Date.now() - 120000;
    const drive = (i) =>
      gt06Position(
        { lat: DEPOT.lat + 0.05 + i * 0.001, lon: DEPOT.lon, speed: 40, time: new Date(t0 + i * 10000) },
        i + 2,
      );
    const c = await device(imei, '127.0.0.6', 'b');
    for (let i = 0; i < 5; i++) c.write(drive(i));
    await until(() => positions('b', imei).length === 5, 3000, 'positions on B');
    const mileageOnB = positions('b', imei).at(-1).payload.derived.platformMileage;
    assert.ok(mileageOnB > 300, `driven on B: ${mileageOnB} m`);
    await delay(1300); // the shared state interval (1 s in this flow) has passed since the last position
    const onlineOnA = events('a', imei, 'online').length; // from a first connection through A, if any
    await red.b.kill();
    await c.closed; // HAProxy drops the client side of a server that is gone
    await delay(500); // B's health checks fail
    const d = await device(imei, '127.0.0.6');
    assert.equal(d.instance, 'a');
    for (let i = 5; i < 8; i++) d.write(drive(i));
    await until(() => positions('a', imei).length === 3, 3000, 'positions on A');
    const onA = positions('a', imei).map((m) => m.payload.derived.platformMileage);
    assert.ok(onA[0] >= mileageOnB, `mileage continues: ${onA[0]} m after ${mileageOnB} m on B`);
    assert.ok(onA[2] > onA[0]);
    assert.equal(events('a', imei, 'online').length, onlineOnA, 'no second online');
    assert.deepEqual(events('a', imei, 'offline').slice(onlineOnA ? 1 : 0), [], 'nor an offline');
    red.a.inject('cmd', { topic: imei, payload: { type: 'custom', text: 'STILL#' } });
    await until(() => gt06Commands(d.received).some((f) => f.text === 'STILL#'), 3000, 'a command on A');
  });
});
