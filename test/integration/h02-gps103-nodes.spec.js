'use strict';
// H02 (text and binary, TCP and UDP) and GPS103 devices on one tracker-server port next to a GT06, through
// Node-RED, on real sockets: each acknowledged as it expects, positions and alarms out of tracker-in, and an H02
// engine stop answered through tracker-command.
const assert = require('node:assert/strict');
const helper = require('node-red-node-test-helper');
const serverNode = require('../../nodes/tracker-server.js');
const inNode = require('../../nodes/tracker-in.js');
const commandNode = require('../../nodes/tracker-command.js');
const { tcpClient, udpClient, delay } = require('../lib/clients');
const { listeningPort, collect, receive } = require('../lib/red');
const H = require('../lib/h02');
const F = require('../fixtures/gt06-frames');

helper.init(require.resolve('node-red'));
const ascii = (s) => Buffer.from(s, 'latin1');
const H02_ID = '4106011660';
const IMEI = '359586015829802';

/** Waits until the bytes received end with the text of `n` replies cut by `split`. */
async function replies(client, n, split, ms = 3000) {
  const end = Date.now() + ms;
  for (;;) {
    const list = split(client.received.toString('latin1'));
    if (list.length >= n) return list;
    if (Date.now() > end) throw new Error(`got ${JSON.stringify(list)}, wanted ${n} replies`);
    await delay(10);
  }
}
const h02Replies = (s) => s.match(/\*[^#]*#/g) ?? [];
const gps103Replies = (s) => s.match(/LOAD|ON|\*\*,[^;]*;/g) ?? [];

describe('H02 and GPS103 on one port next to a GT06 (Node-RED, real sockets)', () => {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  it('acknowledges each device as it expects; positions and alarms come out of tracker-in', async () => {
    await helper.load(
      [serverNode, inNode, commandNode],
      [
        { id: 'f1', type: 'tab' },
        { id: 'srv', type: 'tracker-server', port: 0, host: '127.0.0.1' },
        { id: 'in', z: 'f1', type: 'tracker-in', server: 'srv', wires: [['out'], []] },
        { id: 'out', z: 'f1', type: 'helper' },
        {
          id: 'cmd',
          z: 'f1',
          type: 'tracker-command',
          server: 'srv',
          command: 'payload',
          device: 'topic',
          deviceType: 'msg',
          wires: [['status']],
        },
        { id: 'status', z: 'f1', type: 'helper' },
      ],
    );
    const port = await listeningPort();
    const got = collect('out');
    const [gt06, text, binary, coban] = await Promise.all([
      tcpClient(port),
      tcpClient(port),
      tcpClient(port),
      tcpClient(port),
    ]);
    const udp = await udpClient(port);
    const now = Date.now();
    const fixTime = (ms) => new Date(Math.floor(ms / 1000) * 1000);

    gt06.write(Buffer.from(F.LOGIN + F.SOS, 'hex'));
    // H02 text: a V1 report, then an SOS in the status word (bit 1 at 0), a heartbeat
    const t = fixTime(now - 60000);
    const hhmmss = t.toISOString().slice(11, 19).replace(/:/g, '');
    const ddmmyy = `${t.toISOString().slice(8, 10)}${t.toISOString().slice(5, 7)}${t.toISOString().slice(2, 4)}`;
    const v1 = (status) =>
      H.text('4106000826', 'V1', hhmmss, 'A', '5230.0000', 'N', '01324.0000', 'E', '10.00', '90', ddmmyy, status);
    text.write(Buffer.concat([v1('FFFFFBFF'), ascii('\r\n'), v1('FFFFFBFD'), H.text('4106000826', 'V0')]));
    // H02 binary: a 45-byte and a 32-byte frame in one write, from a device that also sends text
    const tail = Buffer.from('ff001506000000000106020299109c01', 'hex');
    binary.write(
      Buffer.concat([
        H.binary({ id: H02_ID, time: t.getTime(), size: 45, tail, knots: 10, status: 0xfffbffff }),
        H.binary({ id: H02_ID, time: t.getTime() + 10000, lat: -33.5, lon: -70.25 }),
      ]),
    );
    await udp.send(H.binary({ id: '4106099999', time: t.getTime() }));
    // GPS103: login, heartbeat, a report, an SOS (its local clock at UTC+2)
    const local = new Date(t.getTime() + 7200000).toISOString();
    const localTime = `${local.slice(2, 4)}${local.slice(5, 7)}${local.slice(8, 10)}${local.slice(11, 13)}${local.slice(14, 16)}`;
    const cobanReport = (keyword) =>
      ascii(`imei:${IMEI},${keyword},${localTime},,F,${hhmmss}.000,A,5230.0000,N,01324.0000,E,10.00,90;`);
    coban.write(ascii(`##,imei:${IMEI},A;`));
    await replies(coban, 1, gps103Replies);
    coban.write(Buffer.concat([ascii(`${IMEI};`), cobanReport('tracker'), cobanReport('help me')]));

    await gt06.waitFor(20);
    assert.equal(gt06.received.toString('hex'), F.LOGIN_ACK + F.SOS_ACK);
    const textReplies = await replies(text, 3, h02Replies);
    assert.match(textReplies[0], /^\*HQ,4106000826,V4,V1,\d{14}#$/);
    assert.match(textReplies[1], /^\*HQ,4106000826,V4,V1,\d{14}#$/);
    assert.equal(textReplies[2], '*HQ,4106000826,V0#');
    const binaryReplies = await replies(binary, 2, h02Replies);
    assert.ok(
      binaryReplies.every((r) => /^\*HQ,4106011660,R12,\d{6}#$/.test(r)),
      binaryReplies.join(' '),
    );
    const [datagram] = await udp.waitFor(1);
    assert.match(datagram.toString('latin1'), /^\*HQ,4106099999,R12,\d{6}#$/);
    assert.deepEqual(await replies(coban, 3, gps103Replies), ['LOAD', 'ON', `**,imei:${IMEI},E;`]);

    for (let i = 0; i < 100 && got.length < 12; i++) await delay(20);
    const records = got.map((m) => m.payload);
    const of = (deviceId, type = 'position') => records.filter((m) => m.deviceId === deviceId && m.type === type);
    assert.deepEqual(of(F.IMEI)[0].alarms, ['sos']);
    const [plain, sos] = of('4106000826');
    assert.deepEqual(
      [plain.protocol, plain.lat, plain.lon, plain.speed, plain.course, plain.time, plain.alarms],
      ['h02', 52.5, 13.4, 18.52, 90, t.toISOString(), []],
    );
    assert.deepEqual(sos.alarms, ['sos']);
    const [long, short] = of(H02_ID);
    assert.deepEqual([long.alarms, long.speed, long.network.cellTowers[0].mcc], [['sos'], 18.52, 262]);
    assert.deepEqual([short.lat, short.lon, short.time], [-33.5, -70.25, new Date(t.getTime() + 10000).toISOString()]);
    assert.equal(of('4106099999')[0].protocol, 'h02', 'H02 over UDP');
    const coban103 = of(IMEI);
    assert.deepEqual(
      coban103.map((m) => [m.protocol, m.time, m.alarms]),
      [
        ['gps103', t.toISOString(), []],
        ['gps103', t.toISOString(), ['sos']],
      ],
    );

    // an engine stop to the H02 device, answered by its V4 message
    const statuses = receive('status', 2);
    helper.getNode('cmd').receive({ topic: H02_ID, payload: { type: 'engineStop' } });
    const [command] = await replies(binary, 1, (s) => h02Replies(s).slice(2));
    const [, time] = /^\*HQ,4106011660,S20,(\d{6}),1,1#$/.exec(command) ?? [];
    assert.ok(time, command);
    binary.write(
      ascii(`*HQ,${H02_ID},V4,S20,DONE,${time},${hhmmss},A,5230.0000,N,01324.0000,E,0.00,0,${ddmmyy},FFFFFBFF#`),
    );
    const [sent, result] = await statuses;
    assert.deepEqual([sent.payload.status, result.payload.status], ['sent', 'result']);
    assert.equal(result.payload.result, `S20,DONE,${time}`);

    for (const c of [gt06, text, binary, coban]) c.destroy();
    await udp.close();
  });
});
