'use strict';
// Every kind of device on one tracker-server at the same time (Teltonika over TCP and UDP, a phone's Traccar Client
// JSON POST), through Node-RED, on real sockets.
const assert = require('node:assert/strict');
const helper = require('node-red-node-test-helper');
const serverNode = require('../../nodes/tracker-server.js');
const inNode = require('../../nodes/tracker-in.js');
const { tcpClient, udpClient, delay } = require('../lib/clients');
const { listeningPort } = require('../lib/red');
const J = require('../lib/jt808');
const F = require('../fixtures/gt06-frames');
const T = require('../lib/teltonika');
const { answers } = require('../lib/osmand');

helper.init(require.resolve('node-red'));
const J600 = require('../fixtures/traccar/jt600.json');
const vec = (V, seq) => Buffer.from(V.decode.find((v) => v.seq === seq).hex, 'hex');

/** A VT600 frame with a correct length and checksum. */
function vt600(imei, code, content) {
  const body = `,${imei},${code},${content}`;
  const text = `&&A${body.length}${body}`;
  let sum = 0;
  for (const c of Buffer.from(text, 'latin1')) sum = (sum + c) & 0xff;
  return Buffer.from(`${text}${sum.toString(16).toUpperCase().padStart(2, '0')}\r\n`, 'latin1');
}

describe('GT06, JT/T 808, JT600, VT600, Teltonika and a phone on one port (Node-RED, real sockets)', () => {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  it('decodes and acknowledges each, byte for byte, at the same time', async () => {
    await helper.load(
      [serverNode, inNode],
      [
        { id: 'f1', type: 'tab' },
        { id: 'srv', type: 'tracker-server', port: 0, host: '127.0.0.1' },
        { id: 'in', z: 'f1', type: 'tracker-in', server: 'srv', filter: 'positions', wires: [['out'], []] },
        { id: 'out', z: 'f1', type: 'helper' },
      ],
    );
    const port = await listeningPort();
    const got = [];
    helper.getNode('out').on('input', (m) => got.push(m.payload));

    const [gt06, jt808, jt600, vt, fmb, fmbUdp, phone] = await Promise.all([
      tcpClient(port),
      tcpClient(port),
      tcpClient(port),
      tcpClient(port),
      tcpClient(port),
      udpClient(port),
      tcpClient(port),
    ]);
    gt06.write(F.LOGIN + F.SOS);
    jt808.write(J.sosLocation(7));
    jt600.write(vec(J600, 30)); // binary record
    jt600.write(vec(J600, 20)); // U01 text report
    vt.write(
      vt600(
        '866123456789012',
        '000',
        '1,,240102030405,A,22.5,114.25,9,0.8,36,90,12,1000,460|0|249F|00001093,20,001C,02,00,04A7|019C',
      ),
    );

    // Teltonika over TCP: the IMEI login (answered 01), then a Codec 8 Extended packet of two records
    fmb.write(T.login());
    await fmb.waitFor(1);
    fmb.write(T.avl([{ lat: 48.8584, lon: 2.2945, speed: 31, io: { 1: { 239: 1 } } }, { priority: 2 }], 0x8e));
    // and over UDP: each datagram names the device
    const udpImei = '352093081452251';
    await fmbUdp.send(
      T.datagram({ imei: udpImei, packetId: 0x0102, avlId: 0x33, records: [{ lat: -33.8568, lon: 151.2153 }] }),
    );

    // a phone running Traccar Client (version 9 JSON body), kept alive like the app does
    const json = JSON.stringify({
      location: {
        timestamp: '2024-01-02T03:04:05.000Z',
        coords: { latitude: 52.52, longitude: 13.405, speed: 5, heading: 90, accuracy: 4 },
        is_moving: true,
        battery: { level: 0.8, is_charging: false },
      },
      device_id: 'anna-phone',
    });
    phone.write(
      Buffer.from(
        `POST / HTTP/1.1\r\nHost: tracker\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
      ),
    );

    await gt06.waitFor(20);
    assert.equal(gt06.received.toString('hex'), F.LOGIN_ACK + F.SOS_ACK);
    await jt808.waitFor(20);
    const ack = J.parse(jt808.received);
    assert.deepEqual(
      [ack.msgId, ack.body.readUInt16BE(0), ack.body.readUInt16BE(2), ack.body[4], ack.checksumOk],
      [0x8001, 7, 0x0200, 0, true],
    );
    await jt600.waitFor(5);
    assert.equal(jt600.received.toString(), '(S39)', 'the binary record needs no reply; the U01 gets (S39)');
    await fmb.waitFor(5);
    assert.equal(fmb.received.toString('hex'), `01${T.ack(2)}`, 'the login, then the record count');
    const [datagramAck] = await fmbUdp.waitFor(1);
    assert.equal(datagramAck.toString('hex'), '0005010201' + '3301', 'packet ID, AVL packet ID, count');
    for (let i = 0; i < 100 && answers(phone.received).length < 1; i++) await delay(20);
    const [answer] = answers(phone.received);
    assert.deepEqual([answer.status, answer.body], [200, ''], 'what the app expects: 200, empty body');
    await delay(100);
    assert.equal(vt.received.length, 0, 'VT600 reports are not acknowledged');

    for (let i = 0; i < 100 && got.length < 9; i++) await delay(20);
    const by = (protocol) => got.filter((m) => m.protocol === protocol);
    assert.deepEqual(by('gt06')[0].alarms, ['sos']);
    const j8 = by('jt808')[0];
    assert.deepEqual(
      [j8.lat, j8.lon, j8.time, j8.alarms],
      [22.502347, 114.273118, '2024-01-02T03:04:05.000Z', ['sos']],
    );
    const [bin, text] = by('jt600');
    assert.equal(bin.time, '2011-02-16T05:59:10.000Z');
    assert.ok(Math.abs(bin.lat - 22.54977) < 1e-5 && Math.abs(bin.lon + 114.07705) < 1e-5);
    assert.equal(bin.speed, 9.26);
    assert.deepEqual(
      [text.lat, text.lon, text.speed, text.time],
      [22.564025, 113.242329, 8.38, '2012-08-04T18:53:02.000Z'],
    );
    const v = by('vt600')[0];
    assert.deepEqual(
      [v.lat, v.lon, v.speed, v.time, v.alarms],
      [22.5, 114.25, 36, '2024-01-02T03:04:05.000Z', ['sos']],
    );
    const [paris, panic] = by('teltonika').filter((m) => m.deviceId === T.IMEI);
    const [sydney] = by('teltonika').filter((m) => m.deviceId === udpImei);
    assert.deepEqual(
      [paris.deviceId, paris.lat, paris.lon, paris.speed, paris.ignition, paris.alarms],
      [T.IMEI, 48.8584, 2.2945, 31, true, []],
    );
    assert.deepEqual([panic.deviceId, panic.alarms], [T.IMEI, ['sos']]);
    assert.deepEqual([sydney.deviceId, sydney.lat, sydney.lon], [udpImei, -33.8568, 151.2153]);
    const anna = by('osmand')[0];
    assert.deepEqual(
      [anna.deviceId, anna.lat, anna.lon, anna.time, anna.attributes.batteryLevel, anna.attributes.motion],
      ['anna-phone', 52.52, 13.405, '2024-01-02T03:04:05.000Z', 80, true],
    );
    for (const c of [gt06, jt808, jt600, vt, fmb, phone]) c.destroy();
    await fmbUdp.close();
  });
});
