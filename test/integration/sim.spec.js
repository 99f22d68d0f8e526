'use strict';
// tracker-sim's engine against the server, every protocol at once: every reply checked byte for byte.
const assert = require('node:assert/strict');
const net = require('node:net');
const { TrackerServer, Simulator } = require('../../dist/index.js');
const F = require('../fixtures/gt06-frames');

describe('tracker-sim (mixed protocols against the server)', function () {
  this.timeout(20000);
  it('logs in, reports and raises SOS alarms on every protocol it plays with no wrong reply', async () => {
    const server = new TrackerServer({ port: 0, host: '127.0.0.1' });
    await server.listen();
    const alarms = new Map();
    // JT600 U06 alarms carry a code without a known meaning: they come out as 'general'
    server.on('message', (m) => m.alarms.length && alarms.set(m.protocol, m.alarms));
    const sim = new Simulator({
      port: server.port,
      devices: 24,
      protocols: ['gt06', 'jt808', 'jt600', 'vt600', 'tk103', 'watch', 'teltonika'],
      rate: 300,
      heartbeat: 0,
    });
    try {
      await sim.start();
      await sim.waitUp();
      for (let i = 0; i < 24; i++) sim.sos(i);
      await new Promise((r) => setTimeout(r, 1000));
      const s = await sim.stop();
      assert.equal(s.counters.wrongReplies, 0);
      assert.equal(s.counters.devicesUp, 24);
      assert.ok(s.counters.positionsAcked > 150, `${s.counters.positionsAcked} positions`);
      assert.deepEqual(Object.fromEntries([...alarms].sort()), {
        gt06: ['sos'],
        jt600: ['general'],
        jt808: ['sos'],
        teltonika: ['sos'],
        tk103: ['sos'],
        vt600: ['sos'],
        watch: ['sos'],
      });
      assert.equal(server.stats.decodeErrors, 0);
    } finally {
      await server.close();
    }
  });

  it('a Teltonika unit over UDP: every datagram answered with its packet ID, the SOS decoded', async () => {
    const server = new TrackerServer({ port: 0, host: '127.0.0.1' });
    await server.listen();
    const alarms = [];
    server.on('message', (m) => m.alarms.length && alarms.push(m.alarms));
    const sim = new Simulator({ port: server.port, transport: 'udp', devices: 4, protocols: ['teltonika'], rate: 100 });
    try {
      await sim.start();
      await sim.waitUp();
      sim.sos(0);
      await new Promise((r) => setTimeout(r, 500));
      const s = await sim.stop();
      assert.equal(s.counters.wrongReplies, 0);
      assert.equal(s.counters.devicesUp, 4);
      assert.ok(s.counters.positionsAcked > 20, `${s.counters.positionsAcked} positions`);
      assert.deepEqual(alarms, [['sos']]);
      assert.equal(server.stats.udpPeers, 4);
      assert.equal(server.stats.decodeErrors, 0);
    } finally {
      await server.close();
    }
  });
});

describe('tracker-sim loss accounting (what the soak checks)', function () {
  this.timeout(20000);
  it('drain() waits for every answer: nothing unanswered against the server', async () => {
    const server = new TrackerServer({ port: 0, host: '127.0.0.1' });
    await server.listen();
    const sim = new Simulator({ port: server.port, devices: 4, protocols: ['gt06', 'jt808'], rate: 200, heartbeat: 0 });
    try {
      await sim.start();
      await sim.waitUp();
      await new Promise((r) => setTimeout(r, 300));
      await sim.drain();
      const s = await sim.stop();
      assert.ok(s.counters.positionsSent > 20, `${s.counters.positionsSent} positions`);
      assert.equal(s.counters.positionsAcked, s.counters.positionsSent);
      assert.equal(s.counters.unanswered, 0);
    } finally {
      await server.close();
    }
  });

  it('frames in flight when the connection drops count as unanswered', async () => {
    // answers the login, then nothing; drops the connection 300 ms later
    const sockets = new Set();
    const raw = net.createServer((socket) => {
      sockets.add(socket);
      socket.once('data', () => socket.write(Buffer.from(F.LOGIN_ACK, 'hex')));
      setTimeout(() => socket.destroy(), 300);
    });
    await new Promise((r) => raw.listen(0, '127.0.0.1', r));
    const sim = new Simulator({ port: raw.address().port, devices: 1, protocols: ['gt06'], rate: 20, heartbeat: 0 });
    try {
      await sim.start();
      await sim.waitUp();
      await new Promise((r) => setTimeout(r, 400)); // stopped before its reconnection (backoff 500 ms or more)
      const s = await sim.stop();
      assert.ok(s.counters.positionsSent > 0);
      assert.equal(s.counters.positionsAcked, 0);
      assert.equal(s.counters.unanswered, s.counters.positionsSent);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => raw.close(r));
    }
  });
});

describe('tracker-sim phones (Traccar Client JSON over HTTP, keep-alive)', function () {
  this.timeout(20000);
  it('posts along the route next to GT06 devices; every answer is 200 with an empty body; SOS comes through', async () => {
    const server = new TrackerServer({ port: 0, host: '127.0.0.1' });
    await server.listen();
    const phones = new Map();
    server.on('message', (m) => {
      if (m.protocol !== 'osmand') return;
      const list = phones.get(m.deviceId) ?? [];
      list.push(m);
      phones.set(m.deviceId, list);
    });
    const sim = new Simulator({ port: server.port, devices: 6, protocols: ['osmand', 'gt06'], rate: 60, heartbeat: 0 });
    try {
      await sim.start();
      await sim.waitUp();
      sim.sos(0);
      await new Promise((r) => setTimeout(r, 1000));
      const s = await sim.stop();
      assert.equal(s.counters.wrongReplies, 0);
      assert.equal(s.counters.devicesUp, 6);
      assert.equal(phones.size, 3);
      const track = [...phones.values()][0];
      assert.ok(track.length >= 3, `${track.length} positions`);
      assert.ok(
        track.every(
          (m) => m.type === 'position' && Math.abs(m.speed - 40) < 0.05 && m.attributes.trigger === 'motionchange',
        ),
      );
      const moved = new Set(track.map((m) => `${m.lat},${m.lon}`));
      assert.ok(moved.size >= 2, 'it drives along the route');
      assert.ok([...phones.values()].flat().some((m) => m.alarms.includes('sos')));
      assert.ok(server.stats.connections <= 6, 'one kept-alive connection per device');
      assert.equal(server.stats.decodeErrors, 0);
    } finally {
      await server.close();
    }
  });
});
