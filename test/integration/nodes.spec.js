'use strict';
// tracker-server + tracker-in in a real Node-RED runtime (node-red-node-test-helper), real sockets on loopback.
const assert = require('node:assert/strict');
const helper = require('node-red-node-test-helper');
const serverNode = require('../../nodes/tracker-server.js');
const inNode = require('../../nodes/tracker-in.js');
const catchNode = require('@node-red/nodes/core/common/25-catch.js');
const { tcpClient, udpClient, delay } = require('../lib/clients');
const { listeningPort, receive, record } = require('../lib/red');
const F = require('../fixtures/gt06-frames');

helper.init(require.resolve('node-red'));

function flow(port, extra = {}) {
  return [
    { id: 'f1', type: 'tab' },
    { id: 'srv', type: 'tracker-server', port, host: '127.0.0.1', tcp: true, udp: true },
    { id: 'in', z: 'f1', type: 'tracker-in', server: 'srv', filter: 'all', wires: [['out'], ['events']], ...extra },
    { id: 'out', z: 'f1', type: 'helper' },
    { id: 'events', z: 'f1', type: 'helper' },
    { id: 'catcher', z: 'f1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'f1', type: 'helper' },
  ];
}

describe('tracker-server + tracker-in in Node-RED', () => {
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  it('GT06 over TCP: exact login ACK, records with alarms, split frames, online/offline events', async () => {
    await helper.load([serverNode, inNode, catchNode], flow(0));
    const port = await listeningPort();
    const c = await tcpClient(port);
    const records = receive('out', 5);
    const seen = record('events');
    c.write(F.LOGIN);
    await c.waitFor(10);
    assert.equal(c.received.toString('hex'), F.LOGIN_ACK);
    // a location, an SOS alarm and a heartbeat in one write ...
    c.write(F.LOCATION + F.SOS + F.HEARTBEAT);
    await c.waitFor(40);
    // ... then a frame split over two writes
    c.write(F.LOCATION.slice(0, 24));
    await delay(50);
    c.write(F.LOCATION.slice(24));
    const msgs = await records;
    assert.deepEqual(
      msgs.map((m) => m.payload.type),
      ['login', 'position', 'position', 'heartbeat', 'position'],
    );
    for (const m of msgs) {
      assert.equal(m.topic, F.IMEI);
      assert.equal(m.payload.protocol, 'gt06');
      assert.equal(m.tracker.transport, 'tcp');
    }
    const [, location, sos] = msgs;
    assert.deepEqual(location.payload.alarms, []);
    assert.equal(location.payload.time, '2017-07-20T03:54:42.000Z');
    assert.ok(Math.abs(location.payload.lat - 49.07638) < 1e-5 && Math.abs(location.payload.lon - 9.3058) < 1e-4);
    assert.deepEqual(sos.payload.alarms, ['sos']);
    await c.waitFor(50);
    assert.equal(
      c.received.toString('hex'),
      F.LOGIN_ACK + F.LOCATION_ACK + F.SOS_ACK + F.HEARTBEAT_ACK + F.LOCATION_ACK,
    );
    c.destroy();
    await delay(100);
    const events = seen.events.map((m) => m.payload);
    assert.deepEqual(
      events.map((e) => [e.event, e.alarm]),
      [
        ['online', undefined],
        ['alarm', 'sos'],
        ['offline', undefined],
      ],
    );
    const [on, sosEvent, off] = events;
    assert.equal(on.deviceId, F.IMEI);
    assert.equal(on.transport, 'tcp');
    assert.equal(sosEvent.lat, sos.payload.lat);
    assert.equal(off.reason, 'closed by device');
    assert.ok(seen.events.every((m) => m.topic === F.IMEI));
  });

  it('GT06 over UDP on the same port', async () => {
    await helper.load([serverNode, inNode, catchNode], flow(0));
    const port = await listeningPort();
    const u = await udpClient(port);
    const records = receive('out', 4);
    await u.send(F.LOGIN);
    await u.waitFor(1);
    await u.send(F.LOCATION + F.SOS + F.HEARTBEAT);
    const msgs = await records;
    assert.deepEqual(
      msgs.map((m) => m.payload.type),
      ['login', 'position', 'position', 'heartbeat'],
    );
    assert.deepEqual(msgs[2].payload.alarms, ['sos']);
    assert.equal(msgs[1].tracker.transport, 'udp');
    await u.waitFor(4);
    // one reply per datagram, each to the source address
    assert.deepEqual(
      u.datagrams.map((d) => d.toString('hex')),
      [F.LOGIN_ACK, F.LOCATION_ACK, F.SOS_ACK, F.HEARTBEAT_ACK],
    );
    await u.close();
  });

  it('UDP peer and rate-limit table sizes from settings.js: a flood of sources does not lock out a device', async () => {
    helper.settings({ trackerServerMaxUdpPeers: 5, trackerServerMaxUdpAddresses: 7 });
    try {
      await helper.load([serverNode, inNode, catchNode], flow(0));
      const port = await listeningPort();
      const { options } = helper.getNode('srv').tracker;
      assert.deepEqual([options.maxUdpPeers, options.maxUdpAddresses], [5, 7]);
      const junk = [];
      for (let i = 0; i < 20; i++) {
        const j = await udpClient(port);
        await j.send('00');
        junk.push(j);
      }
      const u = await udpClient(port);
      const records = receive('out', 1);
      await u.send(F.LOGIN);
      assert.equal((await u.waitFor(1))[0].toString('hex'), F.LOGIN_ACK);
      assert.equal((await records)[0].payload.type, 'login');
      assert.equal(helper.getNode('srv').tracker.stats.udpPeers, 5);
      for (const c of [...junk, u]) await c.close();
    } finally {
      helper.settings({});
    }
  });

  it('filters to positions and to listed devices', async () => {
    await helper.load([serverNode, inNode, catchNode], flow(0, { filter: 'positions', devices: `${F.IMEI}, 999` }));
    const port = await listeningPort();
    const other = await tcpClient(port);
    other.write(F.login('867530912345678'));
    other.write(F.LOCATION);
    const c = await tcpClient(port);
    const records = receive('out', 1);
    c.write(F.LOGIN + F.HEARTBEAT + F.LOCATION);
    const [m] = await records;
    assert.equal(m.payload.type, 'position');
    assert.equal(m.topic, F.IMEI);
    await delay(100);
    c.destroy();
    other.destroy();
  });

  it('reports junk through node.error and status, while other devices keep working', async () => {
    await helper.load([serverNode, inNode, catchNode], flow(0));
    const port = await listeningPort();
    const good = await tcpClient(port);
    good.write(F.LOGIN);
    await good.waitFor(10);
    const caught = receive('caught', 1);
    const junk = await tcpClient(port);
    junk.write(Buffer.alloc(8192, 0x41));
    const [err] = await caught;
    assert.equal(err.payload.code, 'unknown-protocol');
    assert.match(err.error.message, /no known protocol/);
    await junk.closed; // past maxJunkBytes the connection is closed
    const status = helper.getNode('in').status;
    assert.equal(status.lastCall.args[0].fill, 'yellow');
    assert.match(status.lastCall.args[0].text, /1 dev · \d+ err/);
    const next = receive('out', 1);
    good.write(F.HEARTBEAT);
    const [m] = await next;
    assert.equal(m.payload.type, 'heartbeat');
    good.destroy();
  });

  it('a device cannot forge log lines: what it sent is shown escaped in the Node-RED log', async () => {
    // no Catch node: errors nobody catches go to the log
    await helper.load(
      [serverNode, inNode],
      flow(0).filter((n) => n.type !== 'catch' && n.id !== 'caught'),
    );
    const port = await listeningPort();
    const c = await tcpClient(port);
    const errorLines = () =>
      helper
        .log()
        .args.map(([entry]) => entry)
        .filter((entry) => entry.level === helper.log().ERROR)
        .map((entry) => String(entry.msg));
    c.write(Buffer.from('(3110216001,@JT)'));
    // a sentence whose unknown type carries CR LF, a made-up log line and a colour change
    c.write(Buffer.from('(3110216001,ZZ\r\n30 Jan 12:00:00 - [error] [tracker-in:in] forged\x1b[31m,1)', 'latin1'));
    // a WLNET frame (JT600 vector #0) whose 10 ID characters are `../\0\r\n\x1b[31`
    const wlnet = Buffer.from(require('../fixtures/traccar/jt600.json').decode.find((v) => v.seq === 0).hex, 'hex');
    Buffer.from('../\0\r\n\x1b[31', 'latin1').copy(wlnet, 1);
    c.write(wlnet);
    for (let i = 0; errorLines().length < 2 && i < 300; i++) await delay(10);
    // and whatever the server passes on (a message it did not escape itself)
    const peer = { connectionId: 'tcp-x', transport: 'tcp', remoteAddress: '127.0.0.1', remotePort: 1 };
    helper.getNode('srv').tracker.emit('decodeError', { code: 'malformed', message: 'a\r\nb\x1b[0m\u2028' }, peer);
    const logged = errorLines();
    assert.equal(logged.length, 3, JSON.stringify(logged));
    for (const line of logged) assert.doesNotMatch(line, /[^\x20-\x7e]/, JSON.stringify(line));
    assert.match(logged[0], /ZZ\\x0d\\x0a30 Jan 12:00:00 - \[error\] \[tracker-in:in\] forged\\x1b\[31m/);
    assert.match(logged[1], /"\.\.\/\\x00\\x0d\\x0a\\x1b\[31" is not a jt600 device ID/);
    assert.match(logged[2], /a\\x0d\\x0ab\\x1b\[0m\\u\{2028\}/);
    c.destroy();
  });

  it('takes trusted proxies and the cluster broker from the editor, the broker login from its credentials', async () => {
    const server = {
      ...flow(0)[1],
      trustedProxies: '10.0.0.0/8, 192.0.2.7\n2001:db8::/32',
      brokerUrl: 'mqtt://127.0.0.1:1',
      brokerPrefix: 'fleet/trackers',
      instanceName: 'node-a',
    };
    await helper.load([serverNode], [server], { srv: { brokerUsername: 'u', brokerPassword: 'secret' } });
    const o = helper.getNode('srv').tracker.options;
    assert.deepEqual(o.trustedProxies, ['10.0.0.0/8', '192.0.2.7', '2001:db8::/32']);
    assert.deepEqual(o.cluster, {
      url: 'mqtt://127.0.0.1:1',
      prefix: 'fleet/trackers',
      instance: 'node-a',
      username: 'u',
      password: 'secret',
    });
    assert.equal(helper.getNode('srv').tracker.cluster.me.instance, 'node-a');
    await helper.unload();
    // a bad entry: reported, and the server runs without it rather than not at all
    await helper.load([serverNode], [{ ...flow(0)[1], trustedProxies: 'proxy.example.com' }]);
    const srv = helper.getNode('srv');
    assert.deepEqual(srv.tracker.options.trustedProxies, []);
    assert.equal(srv.tracker.cluster, undefined, 'no broker: no cluster');
    assert.ok(await listeningPort());
  });

  it('"Same ID again" from the editor: the newer connection by default; or the live one keeps the ID', async () => {
    await helper.load([serverNode, inNode], flow(0));
    assert.equal(helper.getNode('srv').tracker.options.idTakeover, 'newest');
    await helper.unload();
    await helper.load(
      [serverNode, inNode],
      flow(0).map((n) => (n.id === 'srv' ? { ...n, idTakeover: 'established' } : n)),
    );
    assert.equal(helper.getNode('srv').tracker.options.idTakeover, 'established');
    const port = await listeningPort();
    const events = [];
    helper.getNode('events').on('input', (msg) => events.push(msg.payload));
    const live = await tcpClient(port);
    live.write(F.LOGIN);
    await live.waitFor(10);
    const spoofer = await tcpClient(port);
    spoofer.write(F.LOGIN);
    await spoofer.closed;
    assert.equal(spoofer.received.length, 0);
    for (let i = 0; !events.some((e) => e.event === 'rejected') && i < 300; i++) await delay(10);
    const rejected = events.find((e) => e.event === 'rejected');
    assert.equal(rejected.deviceId, F.IMEI);
    assert.match(rejected.reason, /established/);
    const next = receive('out', 1);
    live.write(F.HEARTBEAT);
    assert.equal((await next)[0].payload.type, 'heartbeat', 'the live connection is still served');
    live.destroy();
  });

  it('redeploys onto the same fixed port without EADDRINUSE', async () => {
    // find a free port, then use it as a fixed port across two deployments
    const probe = require('node:net').createServer();
    await new Promise((r) => probe.listen(0, '127.0.0.1', r));
    const port = probe.address().port;
    await new Promise((r) => probe.close(r));

    await helper.load([serverNode, inNode, catchNode], flow(port));
    assert.equal(await listeningPort(), port);
    const c = await tcpClient(port);
    c.write(F.LOGIN);
    await c.waitFor(10);
    await helper.setFlows(flow(port), 'full');
    assert.equal(await listeningPort(), port);
    await c.closed; // the old server closed its connections
    const d = await tcpClient(port);
    const records = receive('out', 1);
    d.write(F.LOGIN);
    const [m] = await records;
    assert.equal(m.payload.type, 'login');
    d.destroy();
  });

  it('shows a bind failure in the status', async () => {
    const blocker = require('node:net').createServer();
    await new Promise((r) => blocker.listen(0, '127.0.0.1', r));
    const port = blocker.address().port;
    try {
      await helper.load([serverNode, inNode, catchNode], flow(port));
      const srv = helper.getNode('srv');
      await new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no failed state')), 3000);
        const check = (s) => {
          if (s.state === 'failed') {
            clearTimeout(t);
            resolve();
          }
        };
        srv.stateEvents.on('state', check);
        check(srv.currentState);
      });
      assert.match(srv.currentState.error, /in use/);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});
