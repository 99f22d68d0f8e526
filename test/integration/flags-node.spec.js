'use strict';
// tracker-in -> tracker-flags in a real Node-RED runtime with real sockets.
const assert = require('node:assert/strict');
const helper = require('node-red-node-test-helper');
const serverNode = require('../../nodes/tracker-server.js');
const inNode = require('../../nodes/tracker-in.js');
const flagsNode = require('../../nodes/tracker-flags.js');
const { tcpClient, delay } = require('../lib/clients');
const { listeningPort, collect } = require('../lib/red');
const { gt06Heartbeat } = require('../lib/gt06');
const F = require('../fixtures/gt06-frames');

helper.init(require.resolve('node-red'));

function flow(mode) {
  return [
    { id: 'f1', type: 'tab' },
    { id: 'srv', type: 'tracker-server', port: 0, host: '127.0.0.1' },
    { id: 'in', z: 'f1', type: 'tracker-in', server: 'srv', filter: 'all', wires: [['flags'], []] },
    { id: 'flags', z: 'f1', type: 'tracker-flags', mode, other: 'drop', wires: [['out']] },
    { id: 'out', z: 'f1', type: 'helper' },
  ];
}

describe('tracker-flags in Node-RED (GT06)', () => {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  it('all mode: the terminal-info byte as named booleans', async () => {
    await helper.load([serverNode, inNode, flagsNode], flow('all'));
    const got = collect('out');
    const c = await tcpClient(await listeningPort());
    c.write(F.LOGIN); // login: no bitfields, dropped by the node (other: drop)
    c.write(gt06Heartbeat(0x22, 2)); // ACC on + SOS in bits 3-5
    await c.waitFor(20);
    await delay(50);
    assert.equal(got.length, 1);
    assert.equal(got[0].flags.status.acc, true);
    assert.equal(got[0].flags.status.armed, false);
    assert.equal(got[0].flags.alarms.sos, true);
    assert.equal(got[0].flags.alarms.powerCut, false);
    c.destroy();
  });

  it('edge mode: GT06 alarms are events (a start per record that names one, never an end), status bits edges', async () => {
    await helper.load([serverNode, inNode, flagsNode], flow('edges'));
    const got = collect('out');
    const c = await tcpClient(await listeningPort());
    c.write(F.LOGIN);
    await c.waitFor(10);
    for (const [i, info] of [0x22, 0x02, 0x22, 0x02, 0x00].entries()) {
      c.write(gt06Heartbeat(info, i + 2));
      await c.waitFor(20 + 10 * i);
    }
    await delay(50);
    assert.deepEqual(
      got.map((m) => m.edges.sort()),
      [['accOn', 'sosStarted'], ['sosStarted'], ['accOff']],
    );
    assert.deepEqual(got[1].flags, { alarms: { sos: true } });
    c.destroy();
  });
});

describe('tracker-flags edges with simulated devices (tracker-sim)', function () {
  this.timeout(20000);
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  it('each protocol by its rule: two SOS presses give two sosStarted; no sosEnded; no spurious status edges', async () => {
    const { Simulator } = require('../../dist/index.js');
    await helper.load([serverNode, inNode, flagsNode], flow('edges'));
    const got = collect('out');
    const protocols = ['gt06', 'jt808', 'vt600'];
    const sim = new Simulator({ port: await listeningPort(), devices: 3, protocols, rate: 30, heartbeat: 0 });
    try {
      await sim.start();
      await sim.waitUp();
      await delay(300); // positions flow: each device's first record reports what is on
      const edgesOf = (i) => got.filter((m) => m.topic === sim.devices[i].id).flatMap((m) => m.edges);
      const before = protocols.map((_, i) => edgesOf(i).length);
      for (let press = 0; press < 2; press++) {
        for (let i = 0; i < protocols.length; i++) sim.sos(i);
        await delay(400); // positions without the alarm between the presses
      }
      for (let i = 0; i < protocols.length; i++) {
        const after = edgesOf(i).slice(before[i]);
        assert.deepEqual(
          after.filter((e) => e.startsWith('sos')),
          ['sosStarted', 'sosStarted'],
          `${protocols[i]}: ${after}`,
        );
        // status bits seen for the first time are reported once (a GT06 sends them only with its alarm packet);
        // nothing goes off and comes back with every press
        assert.deepEqual(
          after.filter((e) => /(Off|Ended)$/.test(e)),
          [],
          `${protocols[i]}: ${after}`,
        );
        assert.equal(new Set(after).size, after.length - 1, `${protocols[i]}: ${after}`);
      }
      assert.equal(sim.counters.wrongReplies, 0);
    } finally {
      await sim.stop();
    }
  });
});

describe('tracker-flags under a flood of device IDs', function () {
  this.timeout(60000);
  // Count what reaches the context store (Node-RED's memory store, the default): device entries written.
  const memoryStore = Object.getPrototypeOf(require('@node-red/runtime/lib/nodes/context/memory')());
  const storeSet = memoryStore.set;
  let written = 0;
  let saved;
  before(async () => {
    await helper.startServer();
    memoryStore.set = function (scope, key, value, ...rest) {
      if (value && typeof value === 'object')
        written += Array.isArray(value) ? value.length : Object.keys(value).length;
      if (key === 'devices') saved = value;
      return storeSet.call(this, scope, key, value, ...rest);
    };
  });
  after(async () => {
    memoryStore.set = storeSet;
    await helper.stopServer();
  });
  afterEach(() => helper.unload());

  it('edge mode: a message costs the same with 1k or 30k devices known (device entries written to context, counted)', async () => {
    const { createSession, expandFlags } = require('../../dist/index.js');
    await helper.load(flagsNode, [
      { id: 'f1', type: 'tab' },
      { id: 'flags', z: 'f1', type: 'tracker-flags', mode: 'edges', other: 'drop', wires: [['out']] },
      { id: 'out', z: 'f1', type: 'helper' },
    ]);
    // a real decoded record (ACC on + SOS), sent as if from 30,000 different devices
    const session = createSession({ protocol: 'gt06' });
    session.push(Buffer.from(F.LOGIN, 'hex'));
    const [record] = session.push(gt06Heartbeat(0x22, 2)).messages;
    assert.ok(expandFlags(record), 'a record with status bits');
    const flags = helper.getNode('flags');
    let out = 0;
    helper.getNode('out').on('input', () => out++);
    const perBlock = [];
    for (let block = 0; block < 30; block++) {
      const before = written;
      for (let i = 0; i < 1000; i++) {
        const deviceId = String(860000000000000 + block * 1000 + i);
        flags.receive({ topic: deviceId, payload: { ...record, deviceId } });
      }
      perBlock.push(written - before);
      // fail fast: writing the whole map per message makes block 30 cost 60x block 1
      assert.ok(perBlock[block] <= 2 * perBlock[0] + 1000, `device entries written per 1000 messages: ${perBlock}`);
    }
    await delay(20);
    assert.equal(out, 30000, 'each new device reports its edges');
    // the map is not lost: a redeploy (close, not removed) writes it, least recently seen first
    await flags.close(false);
    assert.equal(saved.length, 30000);
    assert.equal(saved[29999][0], String(860000000000000 + 29999));
  });
});
