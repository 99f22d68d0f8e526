'use strict';
const assert = require('node:assert/strict');
const net = require('node:net');
const { TrackerServer } = require('../../dist/index.js');
const { tcpClient, udpClient, nextEvent, collectEvents, delay } = require('../lib/clients');
const F = require('../fixtures/gt06-frames');

describe('TrackerServer (plain Node, real sockets)', () => {
  let server;
  afterEach(async () => {
    if (server) await server.close();
    server = undefined;
  });

  async function start(options = {}) {
    server = new TrackerServer({ port: 0, host: '127.0.0.1', ...options });
    await server.listen();
    return server;
  }

  it('acknowledges a GT06 login byte-exactly, registers the device and emits its messages', async () => {
    await start();
    const c = await tcpClient(server.port);
    const online = nextEvent(server, 'online');
    const messages = collectEvents(server, 'message', 4);
    c.write(F.LOGIN);
    await c.waitFor(10);
    assert.equal(c.received.toString('hex'), F.LOGIN_ACK);
    const [device] = await online;
    assert.equal(device.deviceId, F.IMEI);
    assert.equal(device.protocol, 'gt06');
    assert.equal(device.transport, 'tcp');
    // location + SOS alarm + heartbeat in one write
    c.write(F.LOCATION + F.SOS + F.HEARTBEAT);
    const got = await messages;
    assert.deepEqual(
      got.map(([m]) => m.type),
      ['login', 'position', 'position', 'heartbeat'],
    );
    assert.deepEqual(got[2][0].alarms, ['sos']);
    await c.waitFor(40);
    assert.equal(c.received.toString('hex'), F.LOGIN_ACK + F.LOCATION_ACK + F.SOS_ACK + F.HEARTBEAT_ACK);
    assert.equal(server.devices().length, 1);
    c.destroy();
  });

  it('emits offline when the device disconnects', async () => {
    await start();
    const c = await tcpClient(server.port);
    c.write(F.LOGIN);
    await nextEvent(server, 'online');
    const offline = nextEvent(server, 'offline');
    c.destroy();
    const [device, reason] = await offline;
    assert.equal(device.deviceId, F.IMEI);
    assert.match(reason, /closed/);
    assert.equal(server.devices().length, 0);
  });

  it('serves the same protocol over UDP, replying to the datagram source', async () => {
    await start();
    const u = await udpClient(server.port);
    const online = nextEvent(server, 'online');
    await u.send(F.LOGIN);
    await u.waitFor(1);
    assert.equal(u.datagrams[0].toString('hex'), F.LOGIN_ACK);
    const [device] = await online;
    assert.equal(device.transport, 'udp');
    const messages = collectEvents(server, 'message', 2);
    await u.send(F.SOS);
    await u.send(F.HEARTBEAT);
    const got = await messages;
    assert.deepEqual(got[0][0].alarms, ['sos']);
    assert.equal(got[1][0].type, 'heartbeat');
    await u.waitFor(3);
    assert.deepEqual(
      u.datagrams.slice(1).map((d) => d.toString('hex')),
      [F.SOS_ACK, F.HEARTBEAT_ACK],
    );
    await u.close();
  });

  it('drops an unfinished frame at the end of a datagram instead of carrying it over', async () => {
    await start();
    const u = await udpClient(server.port);
    await u.send(F.LOGIN);
    await u.waitFor(1);
    const err = nextEvent(server, 'decodeError');
    await u.send(F.LOCATION.slice(0, 20));
    const [e] = await err;
    assert.equal(e.code, 'malformed');
    const msg = nextEvent(server, 'message');
    await u.send(F.HEARTBEAT);
    assert.equal((await msg)[0].type, 'heartbeat');
    await u.close();
  });

  it('frees the port on close so a new server can bind it at once', async () => {
    await start();
    const port = server.port;
    const c = await tcpClient(port);
    c.write(F.LOGIN);
    await c.waitFor(10);
    await server.close();
    server = new TrackerServer({ port, host: '127.0.0.1' });
    await server.listen(); // would reject with EADDRINUSE if anything were left open
    assert.equal(server.port, port);
    await c.closed;
  });

  it('rejects listen() with EADDRINUSE when the port is taken, holding nothing open', async () => {
    const blocker = net.createServer();
    await new Promise((r) => blocker.listen(0, '127.0.0.1', r));
    const port = blocker.address().port;
    const s = new TrackerServer({ port, host: '127.0.0.1' });
    await assert.rejects(s.listen(), { code: 'EADDRINUSE' });
    await new Promise((r) => blocker.close(r));
    await s.listen(); // the failed attempt left nothing bound
    await s.close();
  });

  it('closes a connection that sends junk, and other devices keep working', async () => {
    await start({ maxJunkBytes: 1024 });
    const good = await tcpClient(server.port);
    good.write(F.LOGIN);
    await good.waitFor(10);
    const junk = await tcpClient(server.port);
    const errors = [];
    server.on('decodeError', (e) => errors.push(e));
    junk.write(Buffer.alloc(64 * 1024, 0x55));
    await junk.closed;
    assert.ok(errors.some((e) => e.code === 'unknown-protocol'));
    const msg = nextEvent(server, 'message');
    good.write(F.HEARTBEAT);
    assert.equal((await msg)[0].deviceId, F.IMEI);
    good.destroy();
  });

  it('closes an identified connection that sends mostly junk; other devices keep working', async () => {
    await start({ maxJunkBytes: 1024 });
    const other = await tcpClient(server.port);
    other.write(F.login('356307042441013'));
    await other.waitFor(10);
    const c = await tcpClient(server.port);
    c.write(F.LOGIN);
    await c.waitFor(10);
    const offline = nextEvent(server, 'offline');
    // frames pay for as much junk: a heartbeat, then far more junk than it and the limit together
    c.write(F.HEARTBEAT);
    await c.waitFor(20);
    c.write(Buffer.alloc(8 * 1024, 0x55));
    const [device, reason] = await offline;
    assert.equal(device.deviceId, F.IMEI);
    assert.match(reason, /not frames/);
    await c.closed;
    const msg = nextEvent(server, 'message');
    other.write(F.HEARTBEAT);
    assert.equal((await msg)[0].deviceId, '356307042441013');
    other.destroy();
  });

  it('never closes an identified device for line noise between its frames, however long it runs', async () => {
    await start({ maxJunkBytes: 256 });
    const c = await tcpClient(server.port);
    c.write(F.LOGIN);
    await c.waitFor(10);
    let closed = false;
    server.on('offline', () => {
      closed = true;
    });
    let junk = 0;
    const noise = Buffer.from('0d0a00ff41540d0a', 'hex'); // a garbled byte pair, a modem's `AT`
    for (let i = 0; i < 100; i++) {
      c.write(Buffer.concat([noise, Buffer.from(F.HEARTBEAT, 'hex')]));
      junk += noise.length;
      await c.waitFor(10 + (i + 1) * 10);
    }
    assert.ok(junk > 256, 'more junk in all than the limit');
    for (const peer of server.tcpPeers) assert.equal(peer.session.stats.droppedBytes, junk); // all of it skipped
    assert.equal(closed, false);
    assert.equal(server.devices().length, 1);
    c.destroy();
  });

  it('survives a 1 MiB junk stream with bounded memory', async () => {
    await start({ maxJunkBytes: 2 * 1024 * 1024 });
    const c = await tcpClient(server.port);
    let errors = 0;
    server.on('decodeError', () => errors++);
    const junk = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 239) & 0xff; // neighbours always differ: no 7878/7979 marker
    c.write(junk);
    await delay(300);
    for (const peer of server.tcpPeers) assert.ok(peer.session.bufferedBytes <= 16384);
    assert.ok(errors > 0);
    // still a live connection that can log in
    c.write(F.LOGIN);
    await c.waitFor(10);
    assert.ok(c.received.toString('hex').endsWith(F.LOGIN_ACK));
    c.destroy();
  });

  it('closes a connection that never identifies itself', async () => {
    await start({ identifyTimeout: 1, pollInterval: 50 });
    const c = await tcpClient(server.port);
    const disc = nextEvent(server, 'disconnect', 3000);
    c.write(F.HEARTBEAT); // not a login
    const [, reason] = await disc;
    assert.match(reason, /identify/);
    await c.closed;
  });

  it('closes an idle connection and reports the device offline', async () => {
    await start({ idleTimeout: 1 });
    const c = await tcpClient(server.port);
    c.write(F.LOGIN);
    await nextEvent(server, 'online');
    const [, reason] = await nextEvent(server, 'offline', 3000);
    assert.match(reason, /idle/);
  });

  it('keeps only the newer connection when a device logs in twice', async () => {
    await start();
    const first = await tcpClient(server.port);
    first.write(F.LOGIN);
    await nextEvent(server, 'online');
    let offline = 0;
    server.on('offline', () => offline++);
    const second = await tcpClient(server.port);
    second.write(F.LOGIN);
    await first.closed;
    await second.waitFor(10);
    assert.equal(offline, 0);
    const [device] = server.devices();
    assert.equal(device.remotePort, second.socket.localPort);
    second.destroy();
  });

  it('a half-sent frame left open holds no more than the frame and does not block others', async () => {
    await start();
    const half = await tcpClient(server.port);
    half.write(F.LOGIN);
    await half.waitFor(10);
    half.write(F.LOCATION.slice(0, 30));
    const other = await tcpClient(server.port);
    other.write(F.login('867530912345678'));
    const [device] = await nextEvent(server, 'online');
    assert.equal(device.deviceId, '867530912345678');
    const peers = [...server.tcpPeers];
    assert.ok(peers.some((p) => p.session.bufferedBytes === 15));
    half.destroy();
    other.destroy();
  });

  it('refuses connections past maxConnections without disturbing the open ones', async () => {
    await start({ maxConnections: 2 });
    const a = await tcpClient(server.port);
    const b = await tcpClient(server.port);
    a.write(F.LOGIN);
    await a.waitFor(10);
    const c = await tcpClient(server.port);
    await c.closed;
    assert.equal(server.stats.refusedConnections, 1);
    a.write(F.HEARTBEAT);
    await a.waitFor(20);
    a.destroy();
    b.destroy();
  });

  it('sends an encoded command to a connected device and refuses unknown ones', async () => {
    await start();
    const c = await tcpClient(server.port);
    c.write(F.LOGIN);
    await c.waitFor(10);
    // serverFlag 0 reproduces Traccar's encoder test vector byte for byte
    const frames = server.sendCommand(F.IMEI, { type: 'engineStop', serverFlag: 0 });
    assert.equal(frames[0].toString('hex'), '787812800c0000000052656c61792c312300009dee0d0a');
    await c.waitFor(10 + frames[0].length);
    assert.equal(c.received.subarray(10).toString('hex'), frames[0].toString('hex'));
    assert.throws(() => server.sendCommand('999', { type: 'engineStop' }), /not connected/);
    c.destroy();
  });

  it('contains exceptions thrown by listeners', async () => {
    await start();
    const warnings = [];
    server.on('warning', (w) => warnings.push(w));
    server.on('message', () => {
      throw new Error('boom');
    });
    const c = await tcpClient(server.port);
    c.write(F.LOGIN);
    await c.waitFor(10);
    c.write(F.HEARTBEAT);
    await c.waitFor(20);
    assert.ok(warnings.some((w) => /boom/.test(w.message)));
    c.destroy();
  });

  it('validates its options', () => {
    assert.throws(() => new TrackerServer({ port: 70000 }), /port/);
    assert.throws(() => new TrackerServer({ tcp: false, udp: false }), /TCP, UDP/);
    assert.throws(() => new TrackerServer({ protocols: ['nope'] }), /unknown protocol/);
  });
});
