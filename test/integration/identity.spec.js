'use strict';
// Identity per frame (plain Node server, real sockets): the identity policy judges every frame that names a device
// before its replies are written or its records emitted, whatever else shares its TCP chunk or UDP datagram; and
// `idTakeover` decides who keeps an ID that a second connection claims.
const assert = require('node:assert/strict');
const http = require('node:http');
const { TrackerServer, DEVICE_PROTOCOLS } = require('../../dist/index.js');
const { tcpClient, udpClient, nextEvent, delay } = require('../lib/clients');
const F = require('../fixtures/gt06-frames');

/** The binary protocols spoken over TCP, each with a simulated device (written apart from the codec). */
const TCP_PROTOCOLS = ['gt06', 'jt808', 'jt600', 'vt600', 'h02', 'gps103', 'tk103', 'watch', 'teltonika'];

/** A frame that names the device `id`, and what the server must answer (null: nothing). */
function hello(protocol, id, serial = 1) {
  const device = DEVICE_PROTOCOLS[protocol];
  // a JT/T 808 registration is answered with an authentication code of the server's choosing: a heartbeat is not
  return protocol === 'jt808' ? device.heartbeat(serial, id) : device.login(id, serial);
}

/** The reply frames in `bytes`, cut by the simulated device's own reader. */
function replies(protocol, bytes) {
  const device = DEVICE_PROTOCOLS[protocol];
  const out = [];
  let off = 0;
  while (off < bytes.length) {
    const n = device.replyLength(bytes, off);
    if (n === 0) break;
    if (n < 0) off++;
    else {
      out.push(bytes.subarray(off, off + n));
      off += n;
    }
  }
  return out;
}

function sameReply(protocol, got, expected) {
  const device = DEVICE_PROTOCOLS[protocol];
  return device.matches ? device.matches(got, expected) : got.equals(expected);
}

/** What a protocol answers a refused device (Teltonika: `00` to the IMEI login over TCP). */
const REFUSAL = { teltonika: '00' };

describe('identity per frame, and who keeps an ID (server layer, real sockets)', function () {
  this.timeout(20000);
  let server;
  afterEach(async () => {
    if (server) await server.close();
    server = undefined;
  });
  const start = async (options = {}) => {
    server = new TrackerServer({ port: 0, host: '127.0.0.1', ...options });
    await server.listen();
    const seen = { messages: [], rejected: [] };
    server.on('message', (m, peer) => seen.messages.push([m.deviceId, peer.known]));
    server.on('rejected', (id, _peer, reason) => seen.rejected.push([id, reason]));
    return seen;
  };

  for (const protocol of TCP_PROTOCOLS) {
    const device = DEVICE_PROTOCOLS[protocol];
    const listed = device.deviceId(2);
    const unlisted = device.deviceId(1);

    it(`${protocol}: an unlisted ID, then a listed one in the same chunk: nothing acknowledged or emitted`, async () => {
      const seen = await start({ identityPolicy: 'allow', allowedDevices: [listed] });
      const c = await tcpClient(server.port);
      const rejected = nextEvent(server, 'rejected');
      c.write(Buffer.concat([hello(protocol, unlisted, 1).frame, hello(protocol, listed, 2).frame]));
      const [id, , reason] = await rejected;
      assert.equal(id, unlisted);
      assert.match(reason, /allow-list/);
      await c.closed;
      await delay(50);
      assert.deepEqual(
        seen.messages.filter(([m]) => m === unlisted),
        [],
        'no record of the unlisted device',
      );
      // the chunk is not read past the refused frame: the listed frame waits for a connection of its own
      assert.deepEqual(seen.messages, []);
      assert.equal(c.received.toString('hex'), REFUSAL[protocol] ?? '', 'nothing acknowledged');
      assert.deepEqual(server.devices(), []);
    });

    it(`${protocol}: a listed ID, then an unlisted one in the same chunk: the listed frame is served, the unlisted refused`, async () => {
      const seen = await start({ identityPolicy: 'allow', allowedDevices: [listed] });
      const c = await tcpClient(server.port);
      const rejected = nextEvent(server, 'rejected');
      const good = hello(protocol, listed, 1);
      c.write(Buffer.concat([good.frame, hello(protocol, unlisted, 2).frame]));
      const [id] = await rejected;
      assert.equal(id, unlisted);
      await c.closed;
      await delay(50);
      assert.ok(seen.messages.length > 0, 'the listed frame is emitted');
      assert.ok(
        seen.messages.every(([m]) => m === listed),
        JSON.stringify(seen.messages),
      );
      if (REFUSAL[protocol]) {
        // Teltonika: `01` for the listed IMEI, `00` for the refused one
        assert.equal(c.received.toString('hex'), good.expect.toString('hex') + REFUSAL[protocol]);
        return;
      }
      const got = replies(protocol, c.received);
      assert.equal(got.length, good.expect ? 1 : 0, `replies ${c.received.toString('hex')}`);
      if (good.expect) assert.ok(sameReply(protocol, got[0], good.expect), `reply ${got[0].toString('hex')}`);
    });
  }

  it('UDP: an unlisted ID, then a listed one in one datagram: nothing acknowledged or emitted', async () => {
    const seen = await start({ identityPolicy: 'allow', allowedDevices: ['350000000000002'] });
    const u = await udpClient(server.port);
    const rejected = nextEvent(server, 'rejected');
    await u.send(Buffer.from(F.login('350000000000001') + F.login('350000000000002'), 'hex'));
    assert.equal((await rejected)[0], '350000000000001');
    await delay(100);
    assert.deepEqual(seen.messages, []);
    assert.deepEqual(u.datagrams, []);
    assert.equal(server.stats.udpPeers, 0, 'the refused peer is forgotten');
    // the listed device in a datagram of its own is served
    await u.send(F.login('350000000000002'));
    await u.waitFor(1);
    assert.deepEqual(seen.messages, [['350000000000002', true]]);
    u.socket.close();
  });

  it('flag policy: each record is marked by its own ID, also when two IDs share a chunk', async () => {
    const seen = await start({ identityPolicy: 'flag', allowedDevices: ['350000000000002'] });
    const c = await tcpClient(server.port);
    c.write(Buffer.from(F.login('350000000000001') + F.login('350000000000002'), 'hex'));
    await c.waitFor(20);
    await delay(50);
    assert.deepEqual(seen.messages, [
      ['350000000000001', false],
      ['350000000000002', true],
    ]);
    c.destroy();
  });

  it('HTTP: every request of one connection is judged by its own device ID', async () => {
    const seen = await start({ identityPolicy: 'allow', allowedDevices: ['listed'] });
    const c = await tcpClient(server.port);
    const get = (id) => `GET /?id=${id}&lat=1&lon=2 HTTP/1.1\r\nHost: x\r\n\r\n`;
    // pipelined on one connection, as a proxy or a gateway carrying several phones sends them
    c.write(Buffer.from(get('listed') + get('stranger') + get('listed')));
    for (let i = 0; (c.received.toString().match(/HTTP\/1\.1 /g) ?? []).length < 3 && i < 300; i++) await delay(10);
    const statuses = [...c.received.toString().matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
    assert.deepEqual(statuses, [200, 403, 200]);
    assert.deepEqual(seen.messages, [
      ['listed', true],
      ['listed', true],
    ]);
    assert.deepEqual(
      seen.rejected.map(([id]) => id),
      ['stranger'],
    );
    c.destroy();
  });

  describe('idTakeover', () => {
    it('newest (default): a second connection with a live ID takes it; the first is closed', async () => {
      const seen = await start();
      const first = await tcpClient(server.port);
      first.write(F.LOGIN);
      await first.waitFor(10);
      const second = await tcpClient(server.port);
      second.write(F.LOGIN);
      await second.waitFor(10);
      await first.closed;
      const [d] = server.devices();
      assert.equal(d.deviceId, F.IMEI);
      second.write(F.HEARTBEAT);
      await second.waitFor(20);
      assert.deepEqual(seen.rejected, []);
      // commands go to the newcomer
      assert.equal(server.command(F.IMEI, { type: 'custom', text: 'hello' }).status, 'sent');
      await second.waitFor(21);
      second.destroy();
    });

    it('established: the live connection keeps the ID; the newcomer is refused until it is gone', async () => {
      const seen = await start({ idTakeover: 'established' });
      const first = await tcpClient(server.port);
      first.write(F.LOGIN);
      await first.waitFor(10);
      const owner = server.devices()[0].connectionId;
      const rejected = nextEvent(server, 'rejected');
      const spoofer = await tcpClient(server.port);
      spoofer.write(F.LOGIN);
      const [id, , reason] = await rejected;
      assert.equal(id, F.IMEI);
      assert.match(reason, /established/);
      await spoofer.closed;
      assert.equal(spoofer.received.length, 0, 'the newcomer gets no acknowledgement');
      // the live device is untouched: served, and commands still reach it
      first.write(F.HEARTBEAT);
      await first.waitFor(20);
      assert.equal(server.devices()[0].connectionId, owner);
      assert.equal(server.command(F.IMEI, { type: 'custom', text: 'hello' }).status, 'sent');
      await first.waitFor(21);
      assert.equal(seen.messages.length, 2, 'login and heartbeat of the live connection only');
      // once the live connection is gone, the ID is free again
      first.destroy();
      await delay(50);
      const back = await tcpClient(server.port);
      back.write(F.LOGIN);
      await back.waitFor(10);
      assert.notEqual(server.devices()[0].connectionId, owner);
      back.destroy();
    });

    it('established: a phone request cannot take a binary device’s live ID (403); newest lets it', async () => {
      for (const idTakeover of ['established', 'newest']) {
        await start({ idTakeover });
        const gt06 = await tcpClient(server.port);
        gt06.write(F.LOGIN);
        await gt06.waitFor(10);
        const status = await new Promise((resolve, reject) =>
          http
            .get({ host: '127.0.0.1', port: server.port, path: `/?id=${F.IMEI}&lat=1&lon=1` }, (res) => {
              res.resume();
              resolve(res.statusCode);
            })
            .on('error', reject),
        );
        if (idTakeover === 'established') {
          assert.equal(status, 403);
          assert.equal(server.devices()[0].protocol, 'gt06');
          gt06.destroy();
        } else {
          assert.equal(status, 200);
          await gt06.closed;
          assert.equal(server.devices()[0].protocol, 'osmand');
        }
        await server.close();
        server = undefined;
      }
    });

    it('refuses an unknown value', () => {
      assert.throws(() => new TrackerServer({ idTakeover: 'oldest' }), /idTakeover/);
    });
  });
});
