'use strict';
// UDP on a public port (plain Node server, real dgram sockets on loopback): no reflection beyond what a peer sent
// until it proves it receives at its address, and a peer table a flood of made-up sources cannot lock.
const assert = require('node:assert/strict');
const dgram = require('node:dgram');
const { TrackerServer } = require('../../dist/index.js');
const { tcpClient, udpClient, nextEvent, delay } = require('../lib/clients');
const F = require('../fixtures/gt06-frames');
const J = require('../lib/jt808');

const bytesOf = (client) => client.datagrams.reduce((n, d) => n + d.length, 0);

/** `count` sockets, each bound to its own port (on `address`), each sending `data` once: a spoofed-looking flood. */
async function flood(port, count, data = Buffer.from([0x00]), address = () => '127.0.0.1') {
  const sockets = [];
  for (let i = 0; i < count; i++) {
    const s = dgram.createSocket('udp4');
    await new Promise((resolve) => s.bind(0, address(i), resolve));
    await new Promise((resolve, reject) => s.send(data, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    sockets.push(s);
  }
  return () => Promise.all(sockets.map((s) => new Promise((resolve) => s.close(resolve))));
}

describe('UDP: reflection budget and peer limits (server layer, real sockets)', function () {
  this.timeout(20000);
  let server;
  const warnings = [];
  afterEach(async () => {
    if (server) await server.close();
    server = undefined;
    warnings.length = 0;
  });
  const start = async (options = {}) => {
    server = new TrackerServer({ port: 0, host: '127.0.0.1', pollInterval: 50, ...options });
    server.on('warning', (w) => warnings.push(w.message));
    server.on('decodeError', () => {});
    await server.listen();
  };

  describe('reflection budget', () => {
    it('a 19-byte JT/T 808 sub-package claim gets nothing larger back, poll-driven 0x8003 requests included', async () => {
      await start({ reassemblyTimeout: 1 });
      const u = await udpClient(server.port);
      const claim = J.frame({ msgId: 0x0801, pkg: [256, 1] }); // package 1 of 256, empty body
      assert.equal(claim.length, 19);
      const gaveUp = new Promise((resolve) =>
        server.on('decodeError', (e) => /never came/.test(e.message) && resolve()),
      );
      await u.send(claim);
      await gaveUp; // three 0x8003 requests of 255 ids (about 530 bytes each) came due, then the message expired
      await delay(100);
      assert.ok(bytesOf(u) <= claim.length, `${bytesOf(u)} bytes back for a ${claim.length}-byte datagram`);
      assert.ok(server.stats.withheldBytes > 3 * 500, `${server.stats.withheldBytes} bytes withheld`);
      assert.equal(warnings.filter((w) => /not sent/.test(w)).length, 1, 'reported once');
      await u.close();
    });

    it('a login datagram gets no reply larger than itself; the device sending again is answered', async () => {
      await start();
      const u = await udpClient(server.port);
      const auth = J.frame({ msgId: 0x0102, serial: 1, body: Buffer.from('1') }); // 16 bytes: it identifies the terminal
      const online = nextEvent(server, 'online');
      await u.send(auth);
      await online;
      await delay(200);
      assert.ok(bytesOf(u) <= auth.length, `${bytesOf(u)} bytes back for a ${auth.length}-byte login`);
      // an unanswered terminal sends again: its budget now covers the 20-byte answer
      await u.send(J.frame({ msgId: 0x0102, serial: 2, body: Buffer.from('1') }));
      const [answer] = (await u.waitFor(1)).map(J.parse);
      assert.deepEqual([answer.msgId, answer.body.readUInt16BE(0)], [0x8001, 2]);
      assert.ok(bytesOf(u) <= 2 * auth.length);
      await u.close();
    });

    it('after its second datagram a device is served fully: replies, queued and direct commands', async () => {
      await start();
      const u = await udpClient(server.port);
      await u.send(F.LOGIN);
      await u.waitFor(1);
      assert.equal(u.datagrams[0].toString('hex'), F.LOGIN_ACK);
      // not proven yet: a command waits for the device's next datagram instead of being lost to the budget
      const queued = server.command(F.IMEI, { type: 'engineStop' });
      assert.equal(queued.status, 'queued');
      const sent = new Promise((resolve) =>
        server.on('command', (e) => e.id === queued.id && e.status === 'sent' && resolve()),
      );
      await u.send(F.LOCATION);
      await sent;
      await u.waitFor(3);
      assert.equal(u.datagrams[1].toString('hex'), F.LOCATION_ACK);
      assert.equal(u.datagrams[2].subarray(3, 4).toString('hex'), '80', 'the engineStop frame (0x80)');
      // proven: a command goes out at once, larger than anything the device sent since
      const direct = server.command(F.IMEI, { type: 'custom', text: `WHERE,${'X'.repeat(60)}#` });
      assert.equal(direct.status, 'sent');
      await u.waitFor(4);
      assert.ok(u.datagrams[3].length > 60);
      assert.equal(server.stats.withheldBytes, 0);
      await u.close();
    });

    it('a proven JT/T 808 terminal gets its 0x8003 resend request in full', async () => {
      await start({ reassemblyTimeout: 1 });
      const u = await udpClient(server.port);
      const location = (serial) => J.frame({ msgId: 0x0200, serial, body: J.locationBody() });
      await u.send(location(1));
      await u.waitFor(1);
      await u.send(location(2));
      await u.waitFor(2);
      await u.send(J.frame({ msgId: 0x0801, serial: 3, pkg: [300, 1], body: Buffer.alloc(4) }));
      await u.waitFor(4, 4000); // the package's 8001, then the 0x8003
      const ask = J.parse(u.datagrams[3]);
      assert.equal(ask.msgId, 0x8003);
      assert.equal(ask.body[2], 255);
      assert.equal(server.stats.withheldBytes, 0);
      await u.close();
    });
  });

  describe('peer limits', () => {
    it('a flood of one-byte datagrams from many ports does not lock out a new device; known devices stay', async () => {
      await start({ maxConnections: 50, maxUdpPeers: 50, udpRateLimit: 100000 });
      const device = await udpClient(server.port);
      await device.send(F.LOGIN);
      await device.waitFor(1);
      const offline = [];
      server.on('offline', (d) => offline.push(d.deviceId));
      const stop = await flood(server.port, 200);
      // a new device is served (loopback datagrams reach the server's socket in order: after the flood)
      const newcomer = await udpClient(server.port);
      await newcomer.send(F.login('867530912345678'));
      const [ack] = await newcomer.waitFor(1);
      assert.equal(ack.length, 10);
      assert.equal(server.stats.udpPeers, 50);
      assert.equal(server.stats.evictedUdpPeers, 200 + 1 + 1 - 50);
      // the identified device kept its peer (and session): its location, which names no device, is still its own
      const message = nextEvent(server, 'message');
      await device.send(F.LOCATION);
      const [m] = await message;
      assert.deepEqual([m.deviceId, m.type], [F.IMEI, 'position']);
      assert.deepEqual(offline, []);
      await stop();
      await device.close();
      await newcomer.close();
    });

    it('a full table of devices makes room by forgetting the device heard from least recently', async () => {
      await start({ maxUdpPeers: 3 });
      const clients = [];
      for (const imei of ['860000000000001', '860000000000002', '860000000000003']) {
        const c = await udpClient(server.port);
        await c.send(F.login(imei));
        await c.waitFor(1);
        clients.push(c);
      }
      await clients[0].send(F.HEARTBEAT); // now device 2 is the one heard from least recently
      await clients[0].waitFor(2);
      const offline = nextEvent(server, 'offline');
      const late = await udpClient(server.port);
      await late.send(F.login('860000000000004'));
      await late.waitFor(1);
      const [device, reason] = await offline;
      assert.equal(device.deviceId, '860000000000002');
      assert.match(reason, /forgotten/);
      for (const c of [...clients, late]) await c.close();
    });

    it('rate-limit buckets have their own table: many source addresses do not lock out a new one', async () => {
      await start({ maxConnections: 20, maxUdpAddresses: 20 });
      const stop = await flood(server.port, 60, Buffer.from([0x00]), (i) => `127.0.0.${2 + i}`);
      const u = dgram.createSocket('udp4');
      await new Promise((resolve) => u.bind(0, '127.0.0.200', resolve));
      const reply = new Promise((resolve, reject) => {
        u.once('message', resolve);
        setTimeout(() => reject(new Error('no reply to the new address')), 3000);
      });
      u.send(Buffer.from(F.LOGIN, 'hex'), server.port, '127.0.0.1');
      assert.equal((await reply).toString('hex'), F.LOGIN_ACK);
      assert.equal(server.stats.droppedDatagrams, 0);
      await new Promise((resolve) => u.close(resolve));
      await stop();
    });

    it('TCP connections do not count UDP peers, nor UDP peers TCP connections', async () => {
      await start({ maxConnections: 5, maxUdpPeers: 40, udpRateLimit: 100000 });
      const stop = await flood(server.port, 40);
      const tcp = [];
      for (let i = 0; i < 5; i++) {
        const c = await tcpClient(server.port);
        c.write(F.login(`86100000000000${i}`));
        await c.waitFor(10);
        tcp.push(c);
      }
      assert.equal(server.stats.connections, 5);
      assert.equal(server.stats.refusedConnections, 0);
      assert.equal(server.stats.udpPeers, 40);
      const u = await udpClient(server.port);
      await u.send(F.LOGIN);
      await u.waitFor(1);
      assert.equal(server.stats.udpPeers, 40);
      for (const c of tcp) c.destroy();
      await stop();
      await u.close();
    });
  });
});
