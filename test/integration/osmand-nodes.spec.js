'use strict';
// Phones through Node-RED on the same tracker-server port as a GT06 and a JT/T 808 terminal (real sockets):
// a Traccar Client JSON POST and an OsmAnd query GET on one keep-alive connection, pipelined requests on
// another, each answered as the apps expect while the binary devices get their acknowledgements byte for
// byte; the phone token is a credential of the tracker-server node.
const assert = require('node:assert/strict');
const http = require('node:http');
const helper = require('node-red-node-test-helper');
const serverNode = require('../../nodes/tracker-server.js');
const inNode = require('../../nodes/tracker-in.js');
const { tcpClient, delay } = require('../lib/clients');
const { listeningPort } = require('../lib/red');
const { answers } = require('../lib/osmand');
const J = require('../lib/jt808');
const F = require('../fixtures/gt06-frames');

helper.init(require.resolve('node-red'));

/** Node's HTTP client on one keep-alive connection, as the apps post. */
function post(agent, port, path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: '127.0.0.1', port, method: body ? 'POST' : 'GET', path, headers },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode, body: text, socket: req.socket }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const flow = [
  { id: 'f1', type: 'tab' },
  { id: 'srv', type: 'tracker-server', port: 0, host: '127.0.0.1' },
  { id: 'in', z: 'f1', type: 'tracker-in', server: 'srv', wires: [['out'], ['events']] },
  { id: 'out', z: 'f1', type: 'helper' },
  { id: 'events', z: 'f1', type: 'helper' },
];

describe('phones next to a GT06 and a JT/T 808 terminal on one tracker-server port (Node-RED, real sockets)', () => {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  it('answers each as it expects: 200 with an empty body for the phone, byte-exact ACKs for the others', async () => {
    await helper.load([serverNode, inNode], flow, { srv: { httpToken: 'sesame' } });
    const port = await listeningPort();
    const records = [];
    const events = [];
    helper.getNode('out').on('input', (m) => records.push(m));
    helper.getNode('events').on('input', (m) => events.push(m.payload));

    const [gt06, jt808, raw] = await Promise.all([tcpClient(port), tcpClient(port), tcpClient(port)]);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    gt06.write(F.LOGIN + F.SOS);
    jt808.write(J.sosLocation(7));
    // the current Traccar Client 9 (JSON), then OsmAnd's query URL, on the same kept-alive connection
    const location = {
      timestamp: '2025-06-15T13:45:12.862Z',
      coords: { latitude: 52.52, longitude: 13.405, speed: 10, heading: 45, accuracy: 4, altitude: 34 },
      battery: { level: 0.8, is_charging: true },
      activity: { type: 'in_vehicle' },
      is_moving: true,
      event: 'motionchange',
    };
    const json = await post(
      agent,
      port,
      '/?token=sesame',
      { 'Content-Type': 'application/json' },
      JSON.stringify({ location, device_id: '48241179' }),
    );
    const query = await post(
      agent,
      port,
      '/?id=osmand-7&lat=48.85&lon=2.35&timestamp=1717000000000&speed=10&speedUnit=mps&bearing=90&token=sesame',
      {},
    );
    // pipelining: three requests in one write on a raw connection, one without the token
    raw.write(
      Buffer.from(
        'GET /?id=p1&lat=1&lon=1&token=sesame HTTP/1.1\r\nHost: t\r\n\r\n' +
          'POST /?token=sesame HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 27\r\n\r\nid=p2&lat=2&lon=2&alarm=sos' +
          'GET /?id=p3&lat=3&lon=3 HTTP/1.1\r\n\r\n',
      ),
    );

    assert.deepEqual([json.status, json.body, query.status, query.body], [200, '', 200, '']);
    assert.equal(json.socket, query.socket, 'one kept-alive connection for both');
    await gt06.waitFor(20);
    assert.equal(gt06.received.toString('hex'), F.LOGIN_ACK + F.SOS_ACK);
    await jt808.waitFor(20);
    const ack = J.parse(jt808.received);
    assert.deepEqual([ack.msgId, ack.body.readUInt16BE(0), ack.checksumOk], [0x8001, 7, true]);
    for (let i = 0; i < 100 && answers(raw.received).length < 3; i++) await delay(20);
    assert.deepEqual(
      answers(raw.received).map((a) => a.status),
      [200, 200, 403],
      'p3 has no token',
    );

    for (let i = 0; i < 100 && records.length < 6; i++) await delay(20);
    const by = (id) => records.find((m) => m.topic === id)?.payload;
    const phone = by('48241179');
    assert.deepEqual(
      [phone.protocol, phone.type, phone.lat, phone.lon, phone.speed, phone.course, phone.time],
      ['osmand', 'position', 52.52, 13.405, 36, 45, '2025-06-15T13:45:12.862Z'],
    );
    assert.deepEqual(
      [phone.attributes.batteryLevel, phone.attributes.charge, phone.attributes.activity],
      [80, true, 'in_vehicle'],
    );
    const osm = by('osmand-7');
    assert.deepEqual(
      [osm.lat, osm.lon, osm.speed, osm.course, osm.time],
      [48.85, 2.35, 36, 90, '2024-05-29T16:26:40.000Z'],
    );
    assert.equal(by('p1').lat, 1);
    assert.deepEqual(by('p2').alarms, ['sos']);
    assert.equal(by('p3'), undefined);
    assert.ok(records.some((m) => m.topic === F.IMEI && m.payload.alarms.includes('sos')));
    assert.ok(records.some((m) => m.payload.protocol === 'jt808' && m.payload.type === 'position'));
    assert.ok(!JSON.stringify(records.map((m) => m.payload)).includes('sesame'), 'the token never reaches a flow');

    const online = events.filter((e) => e.event === 'online').map((e) => `${e.deviceId}/${e.protocol}`);
    for (const d of ['48241179/osmand', 'osmand-7/osmand', 'p1/osmand'])
      assert.ok(online.includes(d), online.join(' '));
    assert.ok(
      events.some((e) => e.event === 'rejected' && e.deviceId === 'p3' && e.reason === 'no token'),
      JSON.stringify(events),
    );
    agent.destroy();
    for (const c of [gt06, jt808, raw]) c.destroy();
  });

  it('per-phone tokens (a credential) and trackerServerMaxHttpBodyBytes from settings.js', async () => {
    helper.settings({ trackerServerMaxHttpBodyBytes: 512 });
    try {
      await helper.load([serverNode, inNode], flow, {
        srv: { httpTokens: '# phones\nanna=a-secret\nnot a line\nbob = b-secret\n' },
      });
      const port = await listeningPort();
      const records = [];
      helper.getNode('out').on('input', (m) => records.push(m.topic));
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const get = async (q) => (await post(agent, port, `/?${q}`, {})).status;
      assert.equal(await get('id=anna&lat=1&lon=1&token=a-secret'), 200);
      assert.equal(await get('id=bob&lat=1&lon=1&token=b-secret'), 200);
      assert.equal(await get('id=anna&lat=1&lon=1&token=b-secret'), 403);
      assert.equal(await get('id=carl&lat=1&lon=1'), 200, 'no shared token: phones without one of their own pass');
      const big = await post(agent, port, '/', { 'Content-Type': 'application/json' }, 'x'.repeat(1000));
      assert.equal(big.status, 413);
      for (let i = 0; i < 50 && records.length < 3; i++) await delay(20);
      assert.deepEqual(records, ['anna', 'bob', 'carl']);
      agent.destroy();
    } finally {
      helper.settings({});
    }
  });
});
