'use strict';
// JT/T 808 terminals through Node-RED on real sockets, on the same port as a GT06 device:
// registration, authentication, heartbeats, locations, batches, sub-packaged photos, commands, flags.
const assert = require('node:assert/strict');
const helper = require('node-red-node-test-helper');
const serverNode = require('../../nodes/tracker-server.js');
const inNode = require('../../nodes/tracker-in.js');
const commandNode = require('../../nodes/tracker-command.js');
const flagsNode = require('../../nodes/tracker-flags.js');
const { tcpClient, delay, freePort } = require('../lib/clients');
const { useNodeRed, commandNodes, listeningPort, collect } = require('../lib/red');
const J = require('../lib/jt808');
const F = require('../fixtures/gt06-frames');

helper.init(require.resolve('node-red'));
const hex = (s) => Buffer.from(s, 'hex');

const { locationBody } = J;

/** Registration bodies: 2013 (province, city, maker 5, model 20, id 7, colour, plate) and 2019 (11/30/30). */
function registration(v2019) {
  return Buffer.concat([
    hex('002c012f'),
    Buffer.from('MAKER'.padEnd(v2019 ? 11 : 5, '\0')),
    Buffer.from('MODEL-X'.padEnd(v2019 ? 30 : 20, '\0')),
    Buffer.from('T000001'.padEnd(v2019 ? 30 : 7, '\0')),
    Buffer.from([1]),
    Buffer.from('ABC123'),
  ]);
}

/** A JT/T 808 terminal on a TCP connection that parses what the server sends. */
async function terminal(port, { phone, version }) {
  const c = await tcpClient(port);
  let serial = 0;
  let taken = 0;
  return {
    c,
    send: (msgId, body = Buffer.alloc(0), extra = {}) => {
      serial++;
      c.write(J.frame({ msgId, phone, version, serial, body, ...extra }));
      return serial;
    },
    /** The next `n` platform messages, parsed. */
    async next(n = 1) {
      const messages = [];
      while (messages.length < n) {
        await c.waitFor(taken + 2);
        const buf = c.received;
        const end = buf.indexOf(0x7e, taken + 1);
        if (end < 0) {
          await delay(10);
          continue;
        }
        messages.push(J.parse(buf.subarray(taken, end + 1)));
        taken = end + 1;
      }
      return messages;
    },
  };
}

function flow(port, extra = []) {
  return [
    { id: 'f1', type: 'tab' },
    { id: 'srv', type: 'tracker-server', port, host: '127.0.0.1' },
    { id: 'in', z: 'f1', type: 'tracker-in', server: 'srv', wires: [['out'], ['events']] },
    { id: 'out', z: 'f1', type: 'helper' },
    { id: 'events', z: 'f1', type: 'helper' },
    ...extra,
  ];
}

async function until(predicate, ms = 4000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await delay(10);
  }
}

describe('JT/T 808 through Node-RED (real sockets, shared port)', () => {
  useNodeRed('jt808', { trackerServerReassemblyTimeout: 1 });

  it('2013 and 2019 terminals and a GT06 at once: register, auth, heartbeat, SOS location, batch of 3', async () => {
    await helper.load([serverNode, inNode], flow(0));
    const port = await listeningPort();
    const records = collect('out');
    const gt06 = await tcpClient(port);
    gt06.write(F.LOGIN);
    const t13 = await terminal(port, { phone: '013912345678' });
    const t19 = await terminal(port, { phone: '00000000013800138000', version: 1 });

    for (const [t, v2019] of [
      [t13, false],
      [t19, true],
    ]) {
      const regSerial = t.send(0x0100, registration(v2019));
      const [reg] = await t.next();
      assert.equal(reg.msgId, 0x8100);
      assert.ok(reg.checksumOk);
      assert.equal(reg.version, v2019 ? 1 : undefined);
      assert.equal(reg.id, v2019 ? '00000000013800138000' : '013912345678');
      assert.equal(reg.body.readUInt16BE(0), regSerial);
      assert.equal(reg.body[2], 0, 'registered');
      const authCode = reg.body.subarray(3);
      assert.ok(authCode.length > 0);

      const authBody = v2019
        ? Buffer.concat([Buffer.from([authCode.length]), authCode, Buffer.alloc(15, 0x30), Buffer.alloc(20, 0x20)])
        : authCode;
      const authSerial = t.send(0x0102, authBody);
      const hbSerial = t.send(0x0002);
      const sosSerial = t.send(
        0x0200,
        locationBody({
          alarm: 1,
          status: 3,
          items: [
            [0x01, hex('00000064')],
            [0x30, hex('1a')],
            [0x7e, hex('7d7e')],
          ],
        }),
      );
      const batch = Buffer.concat([
        hex('000300'),
        ...[0, 1, 2].map((i) => {
          const body = locationBody({ lat: 22.5 + i / 100, time: `24010211040${i}` });
          return Buffer.concat([Buffer.from([0, body.length]), body]);
        }),
      ]);
      const batchSerial = t.send(0x0704, batch);
      const acks = await t.next(4);
      for (const [ack, serial, msgId] of [
        [acks[0], authSerial, 0x0102],
        [acks[1], hbSerial, 0x0002],
        [acks[2], sosSerial, 0x0200],
        [acks[3], batchSerial, 0x0704],
      ]) {
        assert.equal(ack.msgId, 0x8001);
        assert.ok(ack.checksumOk);
        assert.equal(ack.bodyLength, 5);
        assert.deepEqual([ack.body.readUInt16BE(0), ack.body.readUInt16BE(2), ack.body[4]], [serial, msgId, 0]);
      }
    }
    gt06.write(F.LOCATION);
    await gt06.waitFor(20);
    assert.equal(gt06.received.toString('hex'), F.LOGIN_ACK + F.LOCATION_ACK);

    await until(() => records.filter((m) => m.payload.protocol === 'jt808').length >= 2 * 7);
    for (const id of ['13912345678', '13800138000']) {
      const mine = records.filter((m) => m.topic === id).map((m) => m.payload);
      assert.deepEqual(
        mine.map((m) => m.type),
        ['register', 'authentication', 'heartbeat', 'position', 'position', 'position', 'position'],
        id,
      );
      const sos = mine[3];
      assert.deepEqual(sos.alarms, ['sos']);
      assert.equal(sos.alarmFlags, 1);
      assert.equal(sos.attributes.odometer, 10000);
      assert.equal(sos.attributes.rssi, 26);
      assert.equal(sos.time, '2024-01-02T03:04:05.000Z');
      assert.deepEqual(
        mine.slice(4).map((m) => m.lat),
        [22.5, 22.51, 22.52],
      );
    }
    assert.ok(records.some((m) => m.payload.protocol === 'gt06' && m.payload.type === 'position'));
    gt06.destroy();
    t13.c.destroy();
    t19.c.destroy();
  });

  it('reassembles a 3-package 0x0801 photo; a missing package gets a 0x8003 request', async () => {
    await helper.load([serverNode, inNode], flow(0));
    const port = await listeningPort();
    const records = collect('out');
    const photo = Buffer.alloc(2400, 0x5a);
    const body = Buffer.concat([hex('00000042'), Buffer.from([0, 0, 1, 1]), locationBody(), photo]);
    const parts = [body.subarray(0, 900), body.subarray(900, 1800), body.subarray(1800)];

    const t = await terminal(port, { phone: '013912345678' });
    for (const [i, p] of parts.entries()) t.send(0x0801, p, { pkg: [3, i + 1] });
    const replies = await t.next(4);
    assert.deepEqual(
      replies.map((r) => r.msgId),
      [0x8001, 0x8001, 0x8001, 0x8800],
    );
    assert.equal(replies[3].body.readUInt32BE(0), 0x42);
    await until(() => records.some((m) => m.payload.type === 'media'));
    const media = records.find((m) => m.payload.type === 'media').payload;
    assert.ok(Buffer.from(media.attributes.media).equals(photo));

    const u = await terminal(port, { phone: '013900000001' });
    u.send(0x0801, parts[0], { pkg: [3, 1], serial: 100 });
    u.send(0x0801, parts[2], { pkg: [3, 3], serial: 102 });
    const [a1, a2, ask] = await u.next(3); // two acks, then the request once the timeout passes
    assert.deepEqual([a1.msgId, a2.msgId, ask.msgId], [0x8001, 0x8001, 0x8003]);
    assert.ok(ask.checksumOk);
    assert.equal(ask.body[2], 1, 'one package missing');
    assert.equal(ask.body.readUInt16BE(3), 2, 'package 2');
    t.c.destroy();
    u.c.destroy();
  });

  it('a command to an offline terminal is queued, survives a redeploy, is sent on return and acknowledged by 0x0001', async () => {
    const port = await freePort();
    const extra = commandNodes();
    await helper.load([serverNode, inNode, commandNode], flow(port, extra));
    await listeningPort();
    let t = await terminal(port, { phone: '013912345678' });
    t.send(0x0002);
    await t.next();
    t.c.destroy();
    await delay(100);
    let statuses = collect('status');
    helper.getNode('cmd').receive({ topic: '13912345678', payload: { type: 'engineStop' } });
    await until(() => statuses.length === 1);
    assert.equal(statuses[0].payload.status, 'queued');
    const id = statuses[0].payload.id;

    await helper.setFlows(flow(port, extra), 'full');
    await listeningPort();
    statuses = collect('status');
    t = await terminal(port, { phone: '013912345678' });
    t.send(0x0002);
    const [ack, command] = await t.next(2);
    assert.equal(ack.msgId, 0x8001);
    assert.equal(command.msgId, 0x8105);
    assert.deepEqual([...command.body], [0xf0]);
    t.send(0x0001, Buffer.from([command.serial >> 8, command.serial & 0xff, 0x81, 0x05, 0]));
    await until(() => statuses.length === 2);
    assert.deepEqual(
      statuses.map((s) => s.payload.status),
      ['sent', 'delivered'],
    );
    assert.ok(statuses.every((s) => s.payload.id === id));
    t.c.destroy();
  });

  it('tracker-flags: SOS and ACC as booleans; in edge mode one start, then nothing until the bit clears', async () => {
    const extra = [
      { id: 'flagsAll', z: 'f1', type: 'tracker-flags', mode: 'all', other: 'drop', wires: [['allOut']] },
      { id: 'allOut', z: 'f1', type: 'helper' },
      { id: 'flagsEdges', z: 'f1', type: 'tracker-flags', mode: 'edges', other: 'drop', wires: [['edgeOut']] },
      { id: 'edgeOut', z: 'f1', type: 'helper' },
    ];
    const f = flow(0, extra);
    f[2].wires = [['flagsAll', 'flagsEdges'], []];
    await helper.load([serverNode, inNode, flagsNode], f);
    const port = await listeningPort();
    const all = collect('allOut');
    const edges = collect('edgeOut');
    const t = await terminal(port, { phone: '013912345678' });
    const words = [
      [0, 3], // a first record: ACC on, located, no alarm
      [1, 3], // SOS pressed
      [1, 3], // still held (no reply processed by the terminal yet)
      [1, 3],
      [0, 3], // the terminal cleared it after the reply
      [0, 2], // ACC off
    ];
    for (const [alarm, status] of words) {
      t.send(0x0200, locationBody({ alarm, status }));
      await t.next();
    }
    await until(() => all.length === words.length).catch(() =>
      assert.fail(`all: ${all.length}, edges: ${JSON.stringify(edges.map((m) => m.edges))}`),
    );
    assert.equal(all[1].flags.alarms.sos, true);
    assert.equal(all[1].flags.status.acc, true);
    assert.equal(all[0].flags.alarms.sos, false);
    assert.deepEqual(edges[0].edges.sort(), ['accOn', 'locatedOn']);
    assert.deepEqual(edges[1].edges, ['sosStarted']);
    assert.deepEqual(edges[2].edges, ['accOff']);
    assert.equal(edges.length, 3, 'nothing while SOS is held, nothing when the terminal clears it');
    t.c.destroy();
  });
});
