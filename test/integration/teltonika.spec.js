'use strict';
// Teltonika through the server (plain Node, real sockets): the identity policy's 00, TCP and UDP on one port,
// the CRC rule, and GPRS commands with their answers.
const assert = require('node:assert/strict');
const { tcpClient, udpClient, nextEvent, collectEvents, delay, startServer } = require('../lib/clients');
const { crc16ibm } = require('../lib/crc');
const T = require('../lib/teltonika');

describe('Teltonika (server layer, real sockets)', () => {
  let server;
  afterEach(() => server?.close());

  it('answers 01 to an allowed IMEI and 00 to a refused one, then closes that connection', async () => {
    server = await startServer({ identityPolicy: 'allow', allowedDevices: [T.IMEI] });
    const messages = [];
    server.on('message', (m) => messages.push(m));
    const good = await tcpClient(server.port);
    good.write(T.login());
    await good.waitFor(1);
    good.write(T.avl());
    await good.waitFor(5);
    assert.equal(good.received.toString('hex'), `01${T.ack(1)}`);

    const rejected = nextEvent(server, 'rejected');
    const bad = await tcpClient(server.port);
    bad.write(T.login('352093081452251'));
    const [id, , reason] = await rejected;
    assert.equal(id, '352093081452251');
    assert.match(reason, /allow-list/);
    await bad.closed;
    assert.equal(bad.received.toString('hex'), '00', 'the refusal, and nothing else');
    assert.deepEqual(
      messages.map((m) => [m.deviceId, m.type]),
      [
        [T.IMEI, 'login'],
        [T.IMEI, 'position'],
      ],
    );
    good.destroy();
  });

  it('TCP and UDP on the same port: each gets its own acknowledgement', async () => {
    server = await startServer();
    const tcp = await tcpClient(server.port);
    const udp = await udpClient(server.port);
    const positions = collectEvents(server, 'message', 3);
    tcp.write(Buffer.concat([T.login(), T.avl([{ speed: 5 }])]));
    await udp.send(T.datagram({ imei: '352093081452251', packetId: 0xbeef, avlId: 9, records: [{ speed: 6 }] }));
    await tcp.waitFor(5);
    assert.equal(tcp.received.toString('hex'), `01${T.ack(1)}`);
    const [reply] = await udp.waitFor(1);
    assert.equal(reply.toString('hex'), '0005beef010901');
    const got = (await positions).map(([m]) => [m.deviceId, m.type, m.speed ?? null]);
    assert.deepEqual(
      got.sort(),
      [
        ['352093081452251', 'position', 6],
        [T.IMEI, 'login', null],
        [T.IMEI, 'position', 5],
      ].sort(),
      JSON.stringify(got),
    );
    assert.deepEqual(
      server
        .devices()
        .map((d) => [d.deviceId, d.transport])
        .sort(),
      [
        ['352093081452251', 'udp'],
        [T.IMEI, 'tcp'],
      ],
    );
    tcp.destroy();
    await udp.close();
  });

  it('leaves a packet with a wrong CRC unacknowledged, so that the device sends it again', async () => {
    server = await startServer();
    const c = await tcpClient(server.port);
    c.write(T.login());
    await c.waitFor(1);
    const good = T.avl([{ speed: 70 }]);
    const bad = Buffer.from(good);
    bad[bad.length - 1] ^= 0xff;
    const error = nextEvent(server, 'decodeError');
    c.write(bad);
    const [e] = await error;
    assert.equal(e.code, 'checksum');
    await delay(100);
    assert.equal(c.received.length, 1, 'no acknowledgement');
    c.write(good);
    await c.waitFor(5);
    assert.equal(c.received.subarray(1).toString('hex'), T.ack(1));
    c.destroy();
  });

  it('sends getinfo as a Codec 12 packet and returns the device’s answer as the command’s result', async () => {
    server = await startServer();
    const c = await tcpClient(server.port);
    c.write(T.login());
    await c.waitFor(1);
    const sent = server.command(T.IMEI, { type: 'getInfo' });
    assert.equal(sent.status, 'sent');
    const text = Buffer.from('getinfo');
    const body = Buffer.concat([Buffer.from([0x0c, 0x01, 0x05, 0, 0, 0, text.length]), text, Buffer.from([0x01])]);
    const expected = `00000000${body.length.toString(16).padStart(8, '0')}${body.toString('hex')}${crc16ibm(body)
      .toString(16)
      .padStart(8, '0')}`;
    await c.waitFor(1 + expected.length / 2);
    assert.equal(c.received.subarray(1).toString('hex'), expected);

    const result = nextEvent(server, 'command');
    c.write(T.commandMessage('RTC:2024/1/2 3:4 Init:2024/1/2 3:0 UpTime:240s PWR:PwrVoltage RST:0 GPS:3 SAT:9'));
    const [ev] = await result;
    assert.deepEqual(
      [ev.id, ev.status, ev.result],
      [sent.id, 'result', 'RTC:2024/1/2 3:4 Init:2024/1/2 3:0 UpTime:240s PWR:PwrVoltage RST:0 GPS:3 SAT:9'],
    );
    assert.equal(c.received.length, 1 + expected.length / 2, 'the answer is not acknowledged');

    // Codec 14: the device refuses a command that names another IMEI
    const other = server.command(T.IMEI, { type: 'engineStop', checkImei: true });
    await c.waitFor(1 + expected.length / 2 + 1);
    const failed = nextEvent(server, 'command');
    c.write(T.commandMessage('', { imei: '352093081452251', type: 0x11 }));
    const [nack] = await failed;
    assert.deepEqual([nack.id, nack.status], [other.id, 'failed']);
    c.destroy();
  });
});
