'use strict';
// PROXY protocol on a real TrackerServer (real sockets on loopback, headers built by test/lib/proxy.js): the
// device's real address everywhere, refusals for untrusted headers, missing, malformed or slow ones.
const assert = require('node:assert/strict');
const { TrackerServer } = require('../../dist/index.js');
const { tcpClient, nextEvent, delay } = require('../lib/clients');
const { proxyV1, proxyV2 } = require('../lib/proxy');
const F = require('../fixtures/gt06-frames');

const LOGIN = Buffer.from(F.LOGIN, 'hex');

describe('PROXY protocol on the tracker port', () => {
  let server;
  let warnings;
  afterEach(async () => {
    if (server) await server.close();
    server = undefined;
  });
  const start = async (options = {}) => {
    server = new TrackerServer({ port: 0, host: '127.0.0.1', udp: false, trustedProxies: ['127.0.0.1'], ...options });
    warnings = [];
    server.on('warning', (w) => warnings.push(w.message));
    await server.listen();
  };
  /** Resolves when the server closed the client's connection. */
  const closedBy = (c, ms = 3000) =>
    Promise.race([c.closed, delay(ms).then(() => assert.fail('the server did not close the connection'))]);

  it('v1 from a trusted proxy: the device’s address in connect, online, message and devices()', async () => {
    await start();
    const connect = nextEvent(server, 'connect');
    const online = nextEvent(server, 'online');
    const message = nextEvent(server, 'message');
    const c = await tcpClient(server.port);
    c.write(proxyV1('203.0.113.50', '192.0.2.1', 41234, 5023));
    c.write(LOGIN);
    await c.waitFor(10);
    assert.equal(c.received.toString('hex'), F.LOGIN_ACK, 'the header is not acknowledged or echoed');
    const [peer] = await connect;
    assert.equal(peer.remoteAddress, '203.0.113.50');
    assert.equal(peer.remotePort, 41234);
    const [device] = await online;
    assert.equal(device.remoteAddress, '203.0.113.50');
    assert.equal((await message)[1].remoteAddress, '203.0.113.50');
    assert.equal(server.devices()[0].remoteAddress, '203.0.113.50');
    c.destroy();
  });

  it('v2 with the login in the same chunk, and split into single bytes', async () => {
    await start();
    const h = proxyV2({ src: '2001:db8::7', dst: '::1', sport: 7000, dport: 5023 });
    const online = nextEvent(server, 'online');
    const a = await tcpClient(server.port);
    a.write(Buffer.concat([h, LOGIN]));
    await a.waitFor(10);
    assert.equal((await online)[0].remoteAddress, '2001:db8::7');
    a.destroy();
    await delay(50);

    const online2 = nextEvent(server, 'online');
    const b = await tcpClient(server.port);
    for (const byte of Buffer.concat([proxyV2({ src: '198.51.100.4', dst: '192.0.2.1', sport: 9, dport: 1 }), LOGIN])) {
      b.write(Buffer.from([byte]));
      await delay(1);
    }
    await b.waitFor(10);
    assert.equal(b.received.toString('hex'), F.LOGIN_ACK);
    assert.equal((await online2)[0].remoteAddress, '198.51.100.4');
    b.destroy();
  });

  it('LOCAL and UNKNOWN headers: the connection’s own address', async () => {
    await start();
    for (const h of [proxyV2({ command: 'local' }), proxyV1()]) {
      const online = nextEvent(server, 'online');
      const c = await tcpClient(server.port);
      c.write(Buffer.concat([h, LOGIN]));
      assert.equal((await online)[0].remoteAddress, '127.0.0.1');
      c.destroy();
      await delay(30);
    }
  });

  it('per-address limits count the real address, not the balancer’s', async () => {
    await start({ maxConnectionsPerAddress: 1 });
    const via = async (src) => {
      const c = await tcpClient(server.port);
      c.write(proxyV2({ src, dst: '192.0.2.1', sport: 1000, dport: 5023 }));
      return c;
    };
    const a = await via('203.0.113.1');
    const b = await via('203.0.113.2');
    await delay(100);
    assert.equal(server.stats.connections, 2, 'two devices behind one balancer');
    const c = await via('203.0.113.1');
    await closedBy(c);
    assert.equal(server.stats.refusedConnections, 1);
    assert.match(warnings.join('\n'), /203\.0\.113\.1 refused: 1 connections/);
    a.destroy();
    b.destroy();
  });

  it('a trusted proxy connection without a header, or with a malformed one, is refused', async () => {
    await start();
    const bare = await tcpClient(server.port);
    bare.write(LOGIN);
    await closedBy(bare);
    assert.equal(bare.received.length, 0, 'nothing acknowledged');
    const bad = await tcpClient(server.port);
    bad.write(Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 99999 1\r\n'));
    await closedBy(bad);
    assert.equal(server.stats.refusedConnections, 2);
    assert.equal(server.stats.devices, 0);
    assert.match(warnings[0], /proxy 127\.0\.0\.1 refused: no PROXY protocol header/);
    assert.match(warnings[1], /bad port/);
  });

  it('a header that does not complete in time is refused', async () => {
    await start({ identifyTimeout: 1 });
    const c = await tcpClient(server.port);
    c.write(proxyV2({ src: '1.2.3.4', dst: '5.6.7.8' }).subarray(0, 20));
    await closedBy(c, 2500);
    assert.match(warnings.join('\n'), /no complete PROXY header within 1 s/);
  });

  it('a header from an address that is not trusted is refused, counted and warned; devices are not', async () => {
    await start({ trustedProxies: ['10.0.0.0/8'] });
    const forged = await tcpClient(server.port);
    forged.write(proxyV1('203.0.113.9', '192.0.2.1', 1, 2));
    forged.write(LOGIN);
    await closedBy(forged);
    assert.equal(forged.received.length, 0);
    // split inside the signature: still seen
    const split = await tcpClient(server.port);
    split.write(proxyV2({ src: '1.2.3.4', dst: '5.6.7.8' }).subarray(0, 3));
    await delay(20);
    split.write(proxyV2({ src: '1.2.3.4', dst: '5.6.7.8' }).subarray(3));
    await closedBy(split);
    assert.equal(server.stats.refusedConnections, 2);
    assert.match(warnings.join('\n'), /PROXY header from an address not in trustedProxies/);
    // an ordinary device on the same server
    const online = nextEvent(server, 'online');
    const device = await tcpClient(server.port);
    device.write(LOGIN);
    assert.equal((await online)[0].remoteAddress, '127.0.0.1');
    device.destroy();
  });

  it('without trustedProxies a header is refused too (a balancer pointed at a server not told to expect it)', async () => {
    await start({ trustedProxies: [] });
    const c = await tcpClient(server.port);
    c.write(proxyV2({ src: '1.2.3.4', dst: '5.6.7.8' }));
    await closedBy(c);
    assert.equal(server.stats.refusedConnections, 1);
  });

  it('bytes after the header wait while nobody listens (holdWithoutListeners), then are read', async () => {
    await start({ holdWithoutListeners: true });
    const c = await tcpClient(server.port);
    c.write(Buffer.concat([proxyV2({ src: '198.51.100.77', dst: '192.0.2.1', sport: 5, dport: 6 }), LOGIN]));
    await delay(150);
    assert.equal(c.received.length, 0, 'not acknowledged while held');
    const message = nextEvent(server, 'message');
    const [, peer] = await message;
    assert.equal(peer.remoteAddress, '198.51.100.77');
    await c.waitFor(10);
    c.destroy();
  });

  it('refuses a bad trustedProxies entry when created', () => {
    assert.throws(() => new TrackerServer({ trustedProxies: ['example.com'] }), /not an IP address or CIDR range/);
  });
});
