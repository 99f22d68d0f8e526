'use strict';
// What an open tracker port must withstand: identity policy, per-address and UDP limits, slow-loris, floods,
// junk, and honest devices that must lose nothing meanwhile (plain Node server, real sockets).
const assert = require('node:assert/strict');
const net = require('node:net');
const v8 = require('node:v8');
const vm = require('node:vm');
const { TrackerServer, getCodec } = require('../../dist/index.js');
const { tcpClient, udpClient, nextEvent, delay } = require('../lib/clients');
const { crc16 } = require('../lib/crc');
const F = require('../fixtures/gt06-frames');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

/** A GT06 0x12 location with a serial and a valid CRC. */
function location(serial) {
  const f = Buffer.from(F.LOCATION, 'hex');
  f.writeUInt16BE(serial, f.length - 6);
  f.writeUInt16BE(crc16(f.subarray(2, f.length - 4)), f.length - 4);
  return f;
}

function ack(type, serial) {
  const f = Buffer.from([0x78, 0x78, 0x05, type, serial >> 8, serial & 0xff, 0, 0, 0x0d, 0x0a]);
  f.writeUInt16BE(crc16(f.subarray(2, 6)), 6);
  return f.toString('hex');
}

async function until(predicate, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await delay(10);
  }
}

describe('security and reliability (server layer, real sockets)', function () {
  this.timeout(30000);
  let server;
  afterEach(async () => {
    if (server) await server.close();
    server = undefined;
  });
  const start = async (options = {}) => {
    server = new TrackerServer({ port: 0, host: '127.0.0.1', ...options });
    await server.listen();
  };

  it('allow-list: a listed device is served; another gets no acknowledgement, is closed and reported', async () => {
    await start({ identityPolicy: 'allow', allowedDevices: [F.IMEI], allowedPattern: '8675\\d{11}' });
    const good = await tcpClient(server.port);
    good.write(F.LOGIN);
    await good.waitFor(10);
    const pattern = await tcpClient(server.port);
    pattern.write(F.login('867530912345678'));
    await pattern.waitFor(10);
    const rejected = nextEvent(server, 'rejected');
    const bad = await tcpClient(server.port);
    bad.write(F.login('353535353535353'));
    const [id, , reason] = await rejected;
    assert.equal(id, '353535353535353');
    assert.match(reason, /allow-list/);
    await bad.closed;
    assert.equal(bad.received.length, 0, 'no acknowledgement');
    assert.deepEqual(
      server
        .devices()
        .map((d) => d.deviceId)
        .sort(),
      [F.IMEI, '867530912345678'],
    );
    good.destroy();
    pattern.destroy();
  });

  it('flag policy: unknown devices are served and marked', async () => {
    await start({ identityPolicy: 'flag', allowedDevices: [F.IMEI] });
    const messages = [];
    server.on('message', (m, peer) => messages.push([m.deviceId, peer.known]));
    const a = await tcpClient(server.port);
    a.write(F.LOGIN);
    const b = await tcpClient(server.port);
    b.write(F.login('353535353535353'));
    await a.waitFor(10);
    await b.waitFor(10);
    await until(() => messages.length === 2);
    assert.deepEqual(messages.sort(), [
      [F.IMEI, true],
      ['353535353535353', false],
    ]);
    a.destroy();
    b.destroy();
  });

  it('a decoder that throws costs its frame, not the connection: reported and counted in the server stats', async () => {
    await start();
    const errors = [];
    server.on('decodeError', (e) => errors.push(e.code));
    const c = await tcpClient(server.port);
    const codec = getCodec('gt06');
    const decode = codec.decode;
    codec.decode = () => {
      throw new TypeError('a bug');
    };
    try {
      c.write(F.LOGIN);
      await until(() => errors.length === 1);
    } finally {
      codec.decode = decode;
    }
    assert.deepEqual(errors, ['codec-exception']);
    assert.equal(server.stats.codecExceptions, 1);
    c.write(F.LOGIN);
    await c.waitFor(10);
    assert.equal(server.stats.codecExceptions, 1);
    c.destroy();
  });

  it('limits connections per remote address', async () => {
    await start({ maxConnectionsPerAddress: 2 });
    const a = await tcpClient(server.port);
    const b = await tcpClient(server.port);
    const c = await tcpClient(server.port);
    await c.closed;
    assert.equal(server.stats.refusedConnections, 1);
    a.write(F.LOGIN);
    await a.waitFor(10);
    a.destroy();
    b.destroy();
    await delay(50);
    const d = await tcpClient(server.port); // the slots are given back on close
    d.write(F.LOGIN);
    await d.waitFor(10);
    d.destroy();
  });

  it('rate-limits UDP per source and answers only the source', async () => {
    await start({ udpRateLimit: 20 });
    const u = await udpClient(server.port);
    await u.send(F.LOGIN);
    await u.waitFor(1);
    for (let i = 0; i < 200; i++) await u.send(location(i + 2));
    await delay(200);
    assert.ok(server.stats.droppedDatagrams > 100, `dropped ${server.stats.droppedDatagrams}`);
    assert.ok(u.datagrams.length <= 1 + 40 + 5, `${u.datagrams.length} replies to a burst of 200`);
    await u.close();
  });

  it('does not read while nobody listens for records, so nothing is acknowledged and lost', async () => {
    await start({ holdWithoutListeners: true });
    const c = await tcpClient(server.port);
    c.write(F.LOGIN);
    await delay(150);
    assert.equal(c.received.length, 0, 'no acknowledgement without a listener');
    const got = nextEvent(server, 'message');
    server.on('message', () => {});
    assert.equal((await got)[0].type, 'login');
    await c.waitFor(10);
    c.destroy();
  });

  it('closes a slow-loris that never identifies; an honest device is unaffected', async () => {
    await start({ identifyTimeout: 1, pollInterval: 50 });
    const loris = await tcpClient(server.port);
    const honest = await tcpClient(server.port);
    honest.write(F.LOGIN);
    await honest.waitFor(10);
    const login = Buffer.from(F.LOGIN, 'hex');
    let i = 0;
    const drip = setInterval(() => loris.socket.writable && loris.write(login.subarray(i % 3, (i++ % 3) + 1)), 100);
    await loris.closed;
    clearInterval(drip);
    honest.write(location(2));
    await honest.waitFor(20);
    assert.equal(honest.received.toString('hex').slice(20), ack(0x12, 2));
    honest.destroy();
  });

  it('skips an oversize frame and decodes the next one', async () => {
    await start();
    const c = await tcpClient(server.port);
    c.write(F.LOGIN);
    await c.waitFor(10);
    c.write(Buffer.concat([Buffer.from('7979ffff12', 'hex'), Buffer.alloc(3000, 0x33), location(5)]));
    await c.waitFor(20);
    assert.equal(c.received.toString('hex').slice(20), ack(0x12, 5));
    c.destroy();
  });

  it('5 honest devices lose nothing among junk, flood and slow-loris connections; memory returns', async () => {
    await start({ maxConnections: 300, identifyTimeout: 2, pollInterval: 100, maxJunkBytes: 2048 });
    const delivered = new Map();
    server.on(
      'message',
      (m) => m.type === 'position' && delivered.set(m.deviceId, (delivered.get(m.deviceId) ?? 0) + 1),
    );
    gc();
    const before = process.memoryUsage().heapUsed;

    const honest = [];
    for (let d = 0; d < 5; d++) {
      const c = await tcpClient(server.port);
      c.imei = `86000000000000${d}`;
      c.write(F.login(c.imei));
      honest.push(c);
    }
    // the attack: 50 junk streams, 150 idle connections (a flood), 20 slow-loris drips
    const attackers = [];
    for (let i = 0; i < 50; i++) {
      const j = await tcpClient(server.port);
      j.write(Buffer.alloc(64 * 1024, i));
      attackers.push(j);
    }
    for (let i = 0; i < 150; i++) attackers.push(await tcpClient(server.port));
    const drips = [];
    for (let i = 0; i < 20; i++) {
      const l = await tcpClient(server.port);
      attackers.push(l);
      drips.push(setInterval(() => l.socket.writable && l.write(Buffer.from([0x78])), 200));
    }
    const POSITIONS = 40;
    for (let n = 0; n < POSITIONS; n++) {
      for (const c of honest) c.write(location(n + 2));
      await delay(5);
    }
    for (const c of honest) await c.waitFor(10 + POSITIONS * 10);
    for (const c of honest) {
      const acks = c.received.toString('hex').slice(20);
      assert.equal(
        acks,
        Array.from({ length: POSITIONS }, (_, n) => ack(0x12, n + 2)).join(''),
        `${c.imei} acknowledgements`,
      );
      assert.equal(delivered.get(c.imei), POSITIONS, `${c.imei} delivered`);
    }
    // the server closes what never identifies
    await until(() => server.stats.connections === 5, 10000);
    drips.forEach(clearInterval);
    for (const a of attackers) a.destroy();
    await delay(100);
    gc();
    const after = process.memoryUsage().heapUsed;
    assert.ok(after - before < 8 * 1024 * 1024, `heap grew by ${((after - before) / 1048576).toFixed(1)} MiB`);
    for (const c of honest) c.destroy();
  });

  it('redeploying under load releases the port and keeps delivering', async () => {
    const probe = net.createServer();
    await new Promise((r) => probe.listen(0, '127.0.0.1', r));
    const port = probe.address().port;
    await new Promise((r) => probe.close(r));
    let received = 0;
    for (let round = 0; round < 3; round++) {
      server = new TrackerServer({ port, host: '127.0.0.1', holdWithoutListeners: true });
      await server.listen();
      server.on('message', () => received++);
      const c = await tcpClient(port);
      c.write(F.LOGIN);
      for (let n = 0; n < 20; n++) c.write(location(n + 2));
      await c.waitFor(10 + 20 * 10);
      await server.close();
      await c.closed;
    }
    server = undefined;
    assert.equal(received, 3 * 21);
  });
});
