'use strict';
// Phones on the tracker port (plain Node server, real sockets): Node's HTTP client with keep-alive as the apps
// use it, raw pipelined requests, per-request identity (tokens, policy, ID changes), online/offline by silence,
// commands in the next answer, and a phone next to a GT06 using the same device ID.
const assert = require('node:assert/strict');
const http = require('node:http');
const { TrackerServer } = require('../../dist/index.js');
const { tcpClient, udpClient, nextEvent, collectEvents, delay } = require('../lib/clients');
const { answers } = require('../lib/osmand');
const F = require('../fixtures/gt06-frames');

/** A phone: Node's HTTP client on one keep-alive connection, as the Traccar Client apps post. */
function phone(port) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const send = ({ method = 'POST', path = '/', headers = {}, body = '' }) =>
    new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: '127.0.0.1',
          port,
          method,
          path,
          headers: body ? { 'Content-Length': Buffer.byteLength(body), ...headers } : headers,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => {
            text += d;
          });
          res.on('end', () => resolve({ status: res.statusCode, body: text, socket: req.socket }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return {
    send,
    json: (deviceId, location, headers = {}) =>
      send({
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify({ location, device_id: deviceId }),
      }),
    get: (query) => send({ method: 'GET', path: `/?${query}` }),
    close: () => agent.destroy(),
  };
}

const fix = (lat, lon, extra = {}) => ({
  timestamp: '2025-06-15T13:45:12.862Z',
  coords: { latitude: lat, longitude: lon, speed: 5, heading: 90, accuracy: 4, altitude: 30 },
  battery: { level: 0.5, is_charging: false },
  is_moving: true,
  event: 'motionchange',
  ...extra,
});

describe('phones on the tracker port (OsmAnd / Traccar Client over HTTP)', function () {
  this.timeout(20000);
  let server;
  let p;
  afterEach(async () => {
    p?.close();
    p = undefined;
    if (server) await server.close();
    server = undefined;
  });
  const start = async (options = {}) => {
    server = new TrackerServer({ port: 0, host: '127.0.0.1', ...options });
    await server.listen();
    p = phone(server.port);
  };

  it('a Traccar Client JSON POST and a query GET on one keep-alive connection: 200, empty body, records', async () => {
    await start();
    const got = [];
    server.on('message', (m, peer) => got.push([m, peer]));
    const online = collectEvents(server, 'online', 1);
    const a = await p.json('48241179', fix(52.52, 13.405));
    const b = await p.get('id=48241179&lat=52.53&lon=13.41&timestamp=1700000000&speed=10&batt=60');
    const c = await p.send({
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'id=48241179&lat=52.54&lon=13.42&timestamp=1700000060',
    });
    for (const r of [a, b, c]) assert.deepEqual([r.status, r.body], [200, '']);
    assert.equal(a.socket, c.socket, 'one connection, kept alive');
    assert.equal(server.stats.connections, 1);
    assert.deepEqual(
      got.map(([m]) => [m.protocol, m.deviceId, m.type, m.lat]),
      [
        ['osmand', '48241179', 'position', 52.52],
        ['osmand', '48241179', 'position', 52.53],
        ['osmand', '48241179', 'position', 52.54],
      ],
    );
    assert.equal(got[0][0].speed, 18);
    assert.equal(got[1][0].speed, 18.52);
    assert.equal(got[0][1].transport, 'tcp');
    const [[device]] = await online;
    assert.deepEqual([device.deviceId, device.protocol], ['48241179', 'osmand']);
    assert.deepEqual(
      server.devices().map((d) => d.deviceId),
      ['48241179'],
    );
  });

  it('pipelined requests on a raw connection are answered in order, split byte by byte at first', async () => {
    await start();
    const got = [];
    server.on('message', (m) => got.push(m.deviceId));
    const c = await tcpClient(server.port);
    const first = 'GET /?id=a&lat=1&lon=1 HTTP/1.1\r\nHost: x\r\n\r\n';
    for (const ch of first) {
      c.write(Buffer.from(ch));
      await delay(1);
    }
    const body = '{"location":{"coords":{"latitude":2,"longitude":2}},"device_id":"b"}';
    c.write(
      Buffer.from(
        `POST / HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}` +
          'POST /?token=x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nid=c\r\n0\r\n\r\n' +
          'GET /?lat=1 HTTP/1.1\r\n\r\n',
      ),
    );
    for (let i = 0; i < 100 && answers(c.received).length < 4; i++) await delay(20);
    assert.deepEqual(
      answers(c.received).map((a) => [a.status, a.body === '' ? '' : 'text']),
      [
        [200, ''],
        [200, ''],
        [200, ''],
        [400, 'text'],
      ],
    );
    assert.deepEqual(got, ['a', 'b', 'c']);
    c.destroy();
  });

  it('every request names its device: an ID change is a new device, the old one goes offline by silence', async () => {
    await start({ idleTimeout: 1, pollInterval: 50 });
    const online = collectEvents(server, 'online', 2);
    await p.get('id=old&lat=1&lon=1');
    await p.get('id=new&lat=1&lon=1');
    assert.deepEqual(
      (await online).map(([d]) => d.deviceId),
      ['old', 'new'],
    );
    const offline = collectEvents(server, 'offline', 1, 3000);
    // `new` keeps reporting; `old` falls silent
    for (let i = 0; i < 8; i++) {
      await p.get('id=new&lat=1&lon=1');
      await delay(200);
    }
    const [[gone, reason]] = await offline;
    assert.deepEqual([gone.deviceId, reason], ['old', 'idle timeout']);
    assert.deepEqual(
      server.devices().map((d) => d.deviceId),
      ['new'],
    );
  });

  it('an HTTP connection silent for the idle timeout is closed (no identify timeout applies to it)', async () => {
    await start({ idleTimeout: 1, identifyTimeout: 1, pollInterval: 50 });
    const c = await tcpClient(server.port);
    const gone = nextEvent(server, 'disconnect', 4000);
    c.write(Buffer.from('GET /?id=1&lat=1&lon=1 HTTP/1.1\r\n\r\n'));
    await c.waitFor(20);
    await delay(600);
    c.write(Buffer.from('GET /?id=1&lat=1&lon=1 HTTP/1.1\r\n\r\n'));
    const started = Date.now();
    const [, reason] = await gone;
    assert.equal(reason, 'idle timeout');
    assert.ok(Date.now() - started >= 900, 'the second request counted as activity');
    assert.equal(answers(c.received).length, 2);
  });

  it('a phone closing its connection between positions does not go offline', async () => {
    await start();
    let offline = 0;
    server.on('offline', () => offline++);
    const once = async () => {
      const c = await tcpClient(server.port);
      c.write(Buffer.from('GET /?id=p1&lat=1&lon=1 HTTP/1.1\r\nConnection: close\r\n\r\n'));
      await c.closed;
      assert.equal(answers(c.received)[0].status, 200);
    };
    await once();
    await once();
    await delay(50);
    assert.equal(offline, 0);
    assert.equal(server.registry.size, 1);
  });

  it('a shared token: missing or wrong is 403 and rejected (the token never reported); right is served', async () => {
    await start({ httpToken: 'sesame', httpTokens: { special: 'own-token' } });
    const rejected = collectEvents(server, 'rejected', 3);
    const got = [];
    server.on('message', (m) => got.push(m));
    assert.equal((await p.get('id=1&lat=1&lon=1')).status, 403);
    assert.equal((await p.get('id=1&lat=1&lon=1&token=guess')).status, 403);
    assert.equal((await p.get('id=special&lat=1&lon=1&token=sesame')).status, 403, 'its own token, not the shared one');
    assert.equal((await p.get('id=1&lat=1&lon=1&token=sesame')).status, 200);
    assert.equal((await p.get('id=special&lat=1&lon=1&token=own-token')).status, 200);
    const bearer = await p.json('2', fix(1, 1), { Authorization: 'Bearer sesame' });
    assert.equal(bearer.status, 200);
    assert.deepEqual(
      (await rejected).map(([id, , reason]) => [id, reason]),
      [
        ['1', 'no token'],
        ['1', 'wrong token'],
        ['special', 'wrong token'],
      ],
    );
    assert.equal(got.length, 3);
    assert.ok(!JSON.stringify(got).includes('sesame'));
  });

  it('identity policy per request: allow-list (phones with their own token count as listed), flag', async () => {
    await start({ identityPolicy: 'allow', allowedDevices: ['listed'], httpTokens: { tokened: 't' } });
    assert.equal((await p.get('id=listed&lat=1&lon=1')).status, 200);
    assert.equal((await p.get('id=tokened&lat=1&lon=1&token=t')).status, 200);
    const rejected = nextEvent(server, 'rejected');
    assert.equal((await p.get('id=stranger&lat=1&lon=1')).status, 403);
    assert.deepEqual((await rejected).slice(0, 1), ['stranger']);
    assert.equal((await p.get('id=listed&lat=1&lon=1')).status, 200, 'the connection serves the next request');
    await server.close();
    p.close();
    await start({ identityPolicy: 'flag', allowedDevices: ['listed'] });
    const known = [];
    server.on('message', (m, peer) => known.push([m.deviceId, peer.known]));
    await p.get('id=listed&lat=1&lon=1');
    await p.get('id=stranger&lat=1&lon=1');
    assert.deepEqual(known, [
      ['listed', true],
      ['stranger', false],
    ]);
  });

  it('the same ID on a GT06 and then from HTTP: the newer wins, no offline/online pair', async () => {
    await start();
    const gt06 = await tcpClient(server.port);
    gt06.write(F.LOGIN);
    await gt06.waitFor(10);
    let events = 0;
    server.on('online', () => events++);
    server.on('offline', () => events++);
    assert.equal((await p.get(`id=${F.IMEI}&lat=1&lon=1`)).status, 200);
    await gt06.closed;
    assert.equal(events, 0);
    assert.equal(server.devices()[0].protocol, 'osmand');
  });

  it('commands wait for the next query request and go back as its body, one per answer; JSON gets none', async () => {
    await start();
    await p.get('id=box&lat=1&lon=1');
    const statuses = [];
    server.on('command', (e) => statuses.push([e.command.text ?? e.command.data, e.status]));
    assert.equal(server.command('box', { type: 'custom', text: 'first' }).status, 'queued');
    assert.equal(server.command('box', { type: 'custom', data: 'second' }).status, 'queued');
    assert.equal((await p.json('box', fix(1, 1))).body, '', 'not to a JSON request');
    assert.equal((await p.get('id=box&lat=1&lon=1')).body, 'first');
    assert.equal((await p.get('id=box&lat=1&lon=1')).body, 'second');
    assert.equal((await p.get('id=box&lat=1&lon=1')).body, '');
    assert.deepEqual(statuses, [
      ['first', 'queued'],
      ['second', 'queued'],
      ['first', 'sent'],
      ['second', 'sent'],
    ]);
    assert.equal(server.command('box', { type: 'engineStop' }).status, 'failed', 'osmand declares custom only');
  });

  it('while nobody receives records nothing is acknowledged: unread, or 503 for a request already read', async () => {
    await start({ holdWithoutListeners: true });
    const got = [];
    // the listener leaves after the first record: the second request of the same chunk is already read
    const once = (m) => {
      got.push(m.deviceId);
      server.off('message', once);
    };
    server.on('message', once);
    await delay(20);
    const c = await tcpClient(server.port);
    c.write(Buffer.from('GET /?id=a&lat=1&lon=1 HTTP/1.1\r\n\r\nGET /?id=b&lat=1&lon=1 HTTP/1.1\r\n\r\n'));
    for (let i = 0; i < 100 && answers(c.received).length < 2; i++) await delay(10);
    assert.deepEqual(
      answers(c.received).map((a) => a.status),
      [200, 503],
    );
    assert.deepEqual(got, ['a']);
    // held: the next request is not read at all until a listener comes back
    c.write(Buffer.from('GET /?id=b&lat=1&lon=1 HTTP/1.1\r\n\r\n'));
    await delay(100);
    assert.equal(answers(c.received).length, 2);
    server.on('message', (m) => got.push(m.deviceId));
    for (let i = 0; i < 100 && answers(c.received).length < 3; i++) await delay(10);
    assert.equal(answers(c.received)[2].status, 200);
    assert.deepEqual(got, ['a', 'b']);
    c.destroy();
  });

  it('413 for a body over maxHttpBodyBytes; a TLS handshake is reported with the way out and closed', async () => {
    await start({ maxHttpBodyBytes: 1024 });
    const errors = [];
    server.on('decodeError', (e) => errors.push(e));
    const big = await p.send({ headers: { 'Content-Type': 'application/json' }, body: 'x'.repeat(2000) });
    assert.equal(big.status, 413);
    const tls = await tcpClient(server.port);
    tls.write('160301020001');
    await tls.closed;
    assert.match(errors.at(-1).message, /https:\/\//);
    assert.deepEqual(
      errors.map((e) => e.code),
      ['oversize', 'unknown-protocol'],
    );
  });

  it('phones online at once are bounded by max connections: a new ID past it gets 503, one warning', async () => {
    await start({ maxConnections: 2 });
    const warnings = [];
    server.on('warning', (w) => warnings.push(w.message));
    assert.equal((await p.get('id=a&lat=1&lon=1')).status, 200);
    assert.equal((await p.get('id=b&lat=1&lon=1')).status, 200);
    assert.equal((await p.get('id=c&lat=1&lon=1')).status, 503);
    assert.equal((await p.get('id=d&lat=1&lon=1')).status, 503);
    assert.equal((await p.get('id=a&lat=1&lon=1')).status, 200, 'a phone already online is served');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /new HTTP devices refused/);
  });

  it('an HTTP request in a UDP datagram is not served; the server carries on', async () => {
    await start();
    const u = await udpClient(server.port);
    await u.send(Buffer.from('GET /?id=1&lat=1&lon=1 HTTP/1.1\r\n\r\n'));
    await delay(100);
    assert.equal(u.datagrams.length, 0);
    assert.equal(server.stats.udpPeers, 0);
    assert.equal((await p.get('id=1&lat=1&lon=1')).status, 200);
    await u.close();
  });

  it('close() ends kept-alive phone connections and frees the port', async () => {
    await start();
    await p.get('id=1&lat=1&lon=1');
    const port = server.port;
    await server.close();
    server = new TrackerServer({ port, host: '127.0.0.1' });
    await server.listen();
    assert.equal(server.port, port);
  });
});
