'use strict';
// Commands through the server layer (plain Node, real sockets): send, answer correlation, queue, TTL, store.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { TrackerServer, JsonFileStore } = require('../../dist/index.js');
const { tcpClient, nextEvent, collectEvents, delay, hex } = require('../lib/clients');
const F = require('../fixtures/gt06-frames');
const { crc16 } = require('../lib/crc');
const { gt06Answer } = require('../lib/gt06');

describe('commands (server layer)', () => {
  let server;
  afterEach(async () => {
    if (server) await server.close();
    server = undefined;
  });
  const start = async (options = {}) => {
    server = new TrackerServer({ port: 0, host: '127.0.0.1', ...options });
    await server.listen();
  };

  it('sends engineStop as the exact 0x80 frame and matches the 0x15 answer by server flag', async () => {
    await start();
    const c = await tcpClient(server.port);
    c.write(F.LOGIN);
    await c.waitFor(10);
    const sent = server.command(F.IMEI, { type: 'engineStop' }, { origin: 'n1' });
    assert.equal(sent.status, 'sent');
    // the connection's first command carries server flag 1; CRC from the independent helper
    const body = hex('12800c0000000152656c61792c31230000');
    const expected = `7878${body.toString('hex')}${crc16(body).toString(16).padStart(4, '0')}0d0a`;
    await c.waitFor(10 + expected.length / 2);
    assert.equal(c.received.subarray(10).toString('hex'), expected);
    const result = nextEvent(server, 'command');
    c.write(gt06Answer(1, 'DYD=Success!'));
    const [ev] = await result;
    assert.equal(ev.id, sent.id);
    assert.equal(ev.status, 'result');
    assert.equal(ev.result, 'DYD=Success!');
    assert.equal(ev.origin, 'n1');
    c.destroy();
  });

  it('an answer without the flag goes to the oldest command waiting', async () => {
    await start();
    const c = await tcpClient(server.port);
    c.write(F.LOGIN);
    await c.waitFor(10);
    const first = server.command(F.IMEI, { type: 'custom', text: 'WHERE#' });
    server.command(F.IMEI, { type: 'custom', text: 'PARAM#' });
    const result = nextEvent(server, 'command');
    c.write(gt06Answer(0, 'Lat:N22.5,Lon:E114.0'));
    const [ev] = await result;
    assert.equal(ev.id, first.id);
    c.destroy();
  });

  it('fails, sending nothing, for unknown devices, unsupported commands and bad parameters', async () => {
    await start();
    const c = await tcpClient(server.port);
    c.write(F.LOGIN);
    await c.waitFor(10);
    assert.match(server.command('000', { type: 'engineStop' }).error, /never connected/);
    assert.match(server.command(F.IMEI, { type: 'takePhoto' }).error, /does not support/);
    assert.match(server.command(F.IMEI, { type: 'positionPeriodic', interval: 'soon' }).error, /interval/);
    assert.match(server.command(F.IMEI, { type: 'custom', text: 'A\r\nB' }).error, /printable/);
    assert.equal(server.command(F.IMEI, {}).status, 'failed');
    await delay(50);
    assert.equal(c.received.length, 10, 'only the login ACK was written');
    c.destroy();
  });

  it('queues for an offline device, sends on its next message, and expires past the TTL', async () => {
    await start({ pollInterval: 50 });
    let c = await tcpClient(server.port);
    c.write(F.LOGIN);
    await nextEvent(server, 'online');
    c.destroy();
    await nextEvent(server, 'offline');
    const queued = server.command(F.IMEI, { type: 'engineResume' });
    assert.equal(queued.status, 'queued');
    const short = server.command(F.IMEI, { type: 'custom', text: 'WHERE#' }, { ttl: 1 });
    assert.equal(short.status, 'queued');
    const [[expired]] = await collectEvents(server, 'command', 1, 3000);
    assert.equal(expired.id, short.id);
    assert.equal(expired.status, 'expired');
    c = await tcpClient(server.port);
    const sent = nextEvent(server, 'command');
    c.write(F.LOGIN);
    const [ev] = await sent;
    assert.equal(ev.id, queued.id);
    assert.equal(ev.status, 'sent');
    await c.waitFor(10 + 23);
    assert.equal(c.received.subarray(10, 14).toString('hex'), '78781280');
    assert.equal(c.received.subarray(19, 27).toString('ascii'), 'Relay,0#');
    c.destroy();
  });

  it('keeps queued commands and known devices in a store across server restarts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmdq-'));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'commands.json');
    await start({ commandStore: new JsonFileStore(file, 10) });
    let c = await tcpClient(server.port);
    c.write(F.LOGIN);
    await nextEvent(server, 'online');
    c.destroy();
    await nextEvent(server, 'offline');
    const queued = server.command(F.IMEI, { type: 'engineStop' });
    await server.close();
    assert.ok(JSON.parse(fs.readFileSync(file, 'utf8')).queued.some((r) => r.id === queued.id));

    await start({ commandStore: new JsonFileStore(file, 10) });
    c = await tcpClient(server.port);
    const sent = nextEvent(server, 'command');
    c.write(F.LOGIN);
    const [ev] = await sent;
    assert.equal(ev.id, queued.id);
    assert.equal(ev.status, 'sent');
    c.destroy();
  });

  it('forgets the least recently seen device past maxKnownDevices: traffic keeps a device known', async () => {
    await start({ maxKnownDevices: 3 });
    const [a, b, c, d] = ['860000000000001', '860000000000002', '860000000000003', '860000000000004'];
    const clients = {};
    for (const id of [a, b, c]) {
      clients[id] = await tcpClient(server.port);
      clients[id].write(F.login(id));
      await clients[id].waitFor(10);
    }
    clients[a].write(F.HEARTBEAT); // A is seen again: B is now the one seen longest ago
    await clients[a].waitFor(20);
    clients[d] = await tcpClient(server.port);
    clients[d].write(F.login(d));
    await clients[d].waitFor(10);
    const offline = collectEvents(server, 'offline', 4);
    for (const client of Object.values(clients)) client.destroy();
    await offline;
    for (const id of [a, c, d]) assert.equal(server.command(id, { type: 'engineStop' }).status, 'queued', id);
    const forgotten = server.command(b, { type: 'engineStop' });
    assert.equal(forgotten.status, 'failed');
    assert.match(forgotten.error, /never connected/);
  });

  it('caps the commands waiting per device', async () => {
    await start({ maxQueuedCommands: 2 });
    const c = await tcpClient(server.port);
    c.write(F.LOGIN);
    await nextEvent(server, 'online');
    c.destroy();
    await nextEvent(server, 'offline');
    assert.equal(server.command(F.IMEI, { type: 'engineStop' }).status, 'queued');
    assert.equal(server.command(F.IMEI, { type: 'engineStop' }).status, 'queued');
    assert.match(server.command(F.IMEI, { type: 'engineStop' }).error, /limit/);
  });

  it('reports sent commands that are never answered as expired', async () => {
    await start({ answerTimeout: 1, pollInterval: 50 });
    const c = await tcpClient(server.port);
    c.write(F.LOGIN);
    await c.waitFor(10);
    const sent = server.command(F.IMEI, { type: 'reboot' });
    const [ev] = await nextEvent(server, 'command', 3000);
    assert.equal(ev.id, sent.id);
    assert.equal(ev.status, 'expired');
    assert.match(ev.error, /no answer/);
    c.destroy();
  });
});
