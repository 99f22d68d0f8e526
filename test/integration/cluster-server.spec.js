'use strict';
// Cluster mode of the library (two TrackerServers, a real Mosquitto broker, real device sockets): the device
// directory, commands across instances with their statuses back where they were issued, queued commands
// delivered once wherever the device reconnects, a device moving between instances, a broker restart, and
// nothing of it loaded without a broker. The Node-RED + HAProxy version of this is cluster.spec.js.
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const http = require('node:http');
const path = require('node:path');
const { TrackerServer } = require('../../dist/index.js');
const { tcpClient, delay, nextEvent } = require('../lib/clients');
const { missingEngines, startMosquitto } = require('../lib/engines');
const { gt06Answer, gt06Commands } = require('../lib/gt06');
const F = require('../fixtures/gt06-frames');

const LOGIN_ACK_BYTES = 10;

/** Polls `check` until it is truthy (returns it) or fails after `ms`. */
async function until(check, ms = 5000, what = 'condition') {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await delay(20);
  }
}

describe('cluster mode (library, real Mosquitto)', function () {
  this.timeout(30000);
  const missing = missingEngines('mosquitto');
  let broker;
  let servers = [];
  let clients = [];
  let prefix;

  before(async function () {
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    broker = await startMosquitto();
  });
  after(async () => {
    if (broker) await broker.stop();
  });
  beforeEach(() => {
    prefix = `test-${Math.random().toString(36).slice(2, 10)}`;
  });
  afterEach(async () => {
    for (const c of clients) c.destroy();
    clients = [];
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });

  /** A server in the cluster named `name`; its command events and warnings are collected. */
  async function instance(name, options = {}) {
    const s = new TrackerServer({
      port: 0,
      host: '127.0.0.1',
      udp: false,
      answerTimeout: 60,
      cluster: { url: broker.url, prefix, instance: name },
      ...options,
    });
    s.commandEvents = [];
    s.warnings = [];
    s.on('command', (e) => s.commandEvents.push(e));
    s.on('warning', (w) => s.warnings.push(w.message));
    servers.push(s);
    await s.listen();
    return s;
  }

  /** A GT06 device logged in on `server`. */
  async function device(server, imei = F.IMEI) {
    const c = await tcpClient(server.port);
    clients.push(c);
    c.write(F.login(imei));
    await c.waitFor(LOGIN_ACK_BYTES);
    return c;
  }

  const statuses = (s, id) => s.commandEvents.filter((e) => e.id === id).map((e) => e.status);

  it('without a broker configured nothing of MQTT is loaded (and with one it is)', () => {
    const probe = (cluster) =>
      execFileSync(
        process.execPath,
        [
          '-e',
          `const { TrackerServer } = require(${JSON.stringify(path.join(__dirname, '../../dist/index.js'))});
           const s = new TrackerServer({ port: 0, host: '127.0.0.1', ${cluster ? `cluster: { url: '${broker.url}', prefix: '${prefix}' }` : ''} });
           s.listen().then(() => s.close()).then(() => {
             const mqtt = Object.keys(require.cache).filter((k) => /node_modules[\\\\/]mqtt[\\\\/]/.test(k));
             console.log(mqtt.length);
           });`,
        ],
        { encoding: 'utf8' },
      ).trim();
    assert.equal(probe(false), '0', 'a server without cluster loads no MQTT module');
    assert.ok(Number(probe(true)) > 0, 'the same probe sees MQTT.js when a broker is configured');
  });

  it('every instance knows where a device is connected, and when it is not', async () => {
    const a = await instance('a');
    const b = await instance('b');
    const c = await device(b);
    await until(() => a.cluster.holder(F.IMEI) === 'b', 3000, 'a to see the device on b');
    assert.equal(a.cluster.location(F.IMEI).remoteAddress, '127.0.0.1');
    assert.equal(b.cluster.holder(F.IMEI), 'b');
    assert.deepEqual(a.cluster.stats().instances, ['a', 'b']);
    c.destroy();
    await until(() => a.cluster.holder(F.IMEI) === undefined, 3000, 'a to see it gone');
    assert.equal(a.cluster.protocolOf(F.IMEI), 'gt06', 'still known: commands to it are queued, not refused');
  });

  it('a command issued on A reaches the device on B; every status comes back out of A only', async () => {
    const a = await instance('a');
    const b = await instance('b');
    const c = await device(b);
    await until(() => a.cluster.holder(F.IMEI) === 'b');
    const first = a.command(F.IMEI, { type: 'engineStop' }, { origin: 'node-1' });
    assert.equal(first.status, 'queued', 'first status: waiting on the broker for its instance');
    await until(() => gt06Commands(c.received).length === 1, 3000, 'the command frame');
    const [frame] = gt06Commands(c.received);
    assert.equal(frame.text, 'Relay,1#');
    await until(() => statuses(a, first.id).includes('sent'));
    c.write(gt06Answer(frame.flag, 'DYD=Success!'));
    const result = await until(() => a.commandEvents.find((e) => e.id === first.id && e.status === 'result'));
    assert.equal(result.result, 'DYD=Success!');
    assert.equal(result.origin, 'node-1');
    assert.deepEqual(statuses(a, first.id), ['queued', 'sent', 'result']);
    assert.deepEqual(b.commandEvents, [], 'B’s own nodes never see A’s command');
    assert.equal(a.cluster.stats().queuedCommands, 0);
    await until(() => b.cluster.stats().queuedCommands === 0, 2000, 'the offer withdrawn everywhere');
  });

  it('bad commands and unknown devices fail at once, before anything is queued', async () => {
    const a = await instance('a');
    const b = await instance('b');
    await device(b);
    await until(() => a.cluster.holder(F.IMEI) === 'b');
    assert.match(a.command(F.IMEI, { type: 'takePhoto' }).error, /does not support/);
    assert.match(a.command('999', { type: 'reboot' }).error, /never connected/);
    assert.equal(a.cluster.stats().queuedCommands, 0);
  });

  it('a command queued for an offline device is delivered once, by the instance it reconnects to', async () => {
    const a = await instance('a');
    const b = await instance('b');
    const first = await device(a);
    first.destroy();
    await until(() => a.cluster.holder(F.IMEI) === undefined && b.cluster.protocolOf(F.IMEI) === 'gt06');
    const q = a.command(F.IMEI, { type: 'custom', text: 'WHERE#' }, { origin: 'n' });
    assert.equal(q.status, 'queued');
    await until(() => b.cluster.stats().queuedCommands === 1, 2000, 'B to see the queued command');
    const again = await device(b);
    await until(() => gt06Commands(again.received).length === 1, 3000, 'delivery through B');
    await until(() => statuses(a, q.id).includes('sent'));
    await delay(300);
    assert.equal(gt06Commands(again.received).length, 1, 'once');
    assert.deepEqual(statuses(a, q.id), ['queued', 'sent']);
    assert.equal(a.cluster.stats().queuedCommands, 0);
    assert.equal(b.cluster.stats().queuedCommands, 0);
  });

  it('a device hopping between instances gets each queued command exactly once', async () => {
    const a = await instance('a');
    const b = await instance('b');
    (await device(a)).destroy();
    await until(() => b.cluster.protocolOf(F.IMEI) === 'gt06' && !a.cluster.holder(F.IMEI));
    const texts = ['ONE#', 'TWO#', 'THREE#'];
    const issued = texts.map((text, i) => [
      i === 1 ? b : a,
      (i === 1 ? b : a).command(F.IMEI, { type: 'custom', text }).id,
    ]);
    const connections = [];
    for (let i = 0; i < 8; i++) {
      const c = await device(i % 2 ? a : b);
      connections.push(c);
      await delay(i * 7); // some hops are faster than the broker, some slower
      // Leaves as a device does (FIN): whatever the server wrote before it closed still arrives and is counted.
      c.end();
      await c.closed;
    }
    connections.push(await device(a));
    // Final at its issuer: sent (written on a connection), or failed (written as that connection was closing).
    const final = (s, id) => statuses(s, id).find((x) => x === 'sent' || x === 'failed');
    await until(() => issued.every(([s, id]) => final(s, id)), 5000, 'every command sent or failed');
    await delay(300);
    const written = connections.flatMap((c) => gt06Commands(c.received).map((f) => f.text)).sort();
    const sent = texts.filter((_, i) => final(...issued[i]) === 'sent').sort();
    assert.ok(sent.length > 0);
    assert.deepEqual(written, sent, 'each sent command written once, no other');
  });

  it('a phone (HTTP) on B gets a command issued on A with the answer to its next request', async () => {
    const a = await instance('a');
    const b = await instance('b', { udp: false });
    const get = (server) =>
      new Promise((resolve, reject) =>
        http
          .get({ host: '127.0.0.1', port: server.port, path: '/?id=phone1&lat=52.5&lon=13.4', agent: false }, (res) => {
            let body = '';
            res.on('data', (d) => {
              body += d;
            });
            res.on('end', () => resolve(body));
          })
          .on('error', reject),
      );
    assert.equal(await get(b), '');
    await until(() => a.cluster.holder('phone1') === 'b', 3000, 'A to see the phone on B');
    const q = a.command('phone1', { type: 'custom', text: 'report now' }, { origin: 'n' });
    assert.equal(q.status, 'queued');
    await until(() => b.commands.queue.hasQueued('phone1'), 3000, 'the command waiting on B for the next request');
    assert.equal(await get(b), 'report now');
    await until(() => statuses(a, q.id).includes('sent'), 3000, 'sent, reported to A');
    assert.equal(await get(b), '', 'once');
    assert.deepEqual(b.commandEvents, []);
  });

  it('a device that logs in on another instance is dropped on the first without an offline event', async () => {
    const a = await instance('a');
    const b = await instance('b');
    const offline = [];
    a.on('offline', (d) => offline.push(d.deviceId));
    const old = await device(a);
    await until(() => b.cluster.holder(F.IMEI) === 'a');
    const disconnect = nextEvent(a, 'disconnect');
    await device(b);
    const [, reason] = await disconnect;
    assert.match(reason, /connected again through instance b/);
    await old.closed;
    await until(() => a.cluster.holder(F.IMEI) === 'b');
    assert.deepEqual(offline, []);
    assert.equal(a.stats.devices, 0);
  });

  it('idTakeover established: a login on another instance is refused while the device is live; served once gone', async () => {
    const a = await instance('a', { idTakeover: 'established' });
    const b = await instance('b', { idTakeover: 'established' });
    const live = await device(a);
    await until(() => b.cluster.holder(F.IMEI) === 'a');
    const rejected = nextEvent(b, 'rejected');
    const spoofer = await tcpClient(b.port);
    clients.push(spoofer);
    spoofer.write(F.LOGIN);
    const [id, , reason] = await rejected;
    assert.equal(id, F.IMEI);
    assert.match(reason, /instance a/);
    await spoofer.closed;
    assert.equal(spoofer.received.length, 0, 'no acknowledgement');
    assert.equal(a.stats.devices, 1, 'the live connection stays');
    live.destroy();
    await until(() => b.cluster.holder(F.IMEI) === undefined, 3000, 'b to see it gone');
    await device(b);
    await until(() => a.cluster.holder(F.IMEI) === 'b');
  });

  it('after a broker restart (retained state lost) commands still flow, queued ones too', async () => {
    const a = await instance('a');
    const b = await instance('b');
    const on = await device(b);
    (await device(a, '123456789012346')).destroy();
    await until(() => a.cluster.holder(F.IMEI) === 'b' && b.cluster.protocolOf('123456789012346'));
    const waiting = a.command('123456789012346', { type: 'custom', text: 'LATER#' });
    assert.equal(waiting.status, 'queued');
    await broker.restart();
    await until(() => a.cluster.stats().connected && b.cluster.stats().connected, 10000, 'both reconnected');
    await until(() => a.cluster.holder(F.IMEI) === 'b', 5000, 'the directory put back');
    const now = a.command(F.IMEI, { type: 'custom', text: 'NOW#' });
    await until(() => gt06Commands(on.received).some((f) => f.text === 'NOW#'), 5000, 'the command after the restart');
    const later = await device(b, '123456789012346');
    await until(() => gt06Commands(later.received).some((f) => f.text === 'LATER#'), 5000, 'the queued one');
    assert.ok(statuses(a, now.id).includes('sent'));
    assert.match(a.warnings.join('\n'), /reconnecting/);
  });

  it('a queued command nobody collects expires at its issuer and leaves the broker', async () => {
    const a = await instance('a', { pollInterval: 50 });
    const b = await instance('b');
    (await device(b)).destroy();
    await until(() => a.cluster.protocolOf(F.IMEI) === 'gt06' && !a.cluster.holder(F.IMEI));
    const q = a.command(F.IMEI, { type: 'reboot' }, { ttl: 1 });
    await until(() => statuses(a, q.id).includes('expired'), 3000, 'expired');
    assert.match(a.commandEvents.at(-1).error, /time-to-live/);
    await until(() => b.cluster.stats().queuedCommands === 0, 2000, 'withdrawn at B');
  });

  it('per-device node state is shared with the other instances, never echoed back', async () => {
    const a = await instance('a');
    const b = await instance('b');
    const got = { a: [], b: [] };
    const share = (s, name) =>
      s.cluster.shareState('test', { remote: (id, st) => got[name].push([id, st]), *local() {} });
    const sa = share(a, 'a');
    share(b, 'b');
    await delay(200); // subscriptions made after start
    sa.publish('dev1', { n: 1 });
    sa.publishSoon('dev1', () => ({ n: 2 })); // within the interval: later
    await until(() => got.b.length === 1);
    assert.deepEqual(got.b, [['dev1', { n: 1 }]]);
    sa.flush();
    await until(() => got.b.length === 2);
    assert.deepEqual(got.b[1], ['dev1', { n: 2 }]);
    sa.publish('dev1', undefined);
    await until(() => got.b.length === 3);
    assert.deepEqual(got.b[2], ['dev1', undefined]);
    assert.deepEqual(got.a, []);
  });
});
