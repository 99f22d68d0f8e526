'use strict';
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const F = require('../fixtures/gt06-frames');
const T = require('../lib/teltonika');

const hex = (b) => b.toString('hex');

const BIN = path.join(__dirname, '..', '..', 'bin', 'tracker-decode.js');
const run = (args, input) => spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8' });

describe('tracker-decode CLI', () => {
  it('prints one JSON line per hex line of one connection, with replies in hex', () => {
    const r = run(
      ['--now', '2024-01-02T03:04:05Z'],
      [F.LOGIN, F.LOCATION + F.HEARTBEAT, '7878058a000688290d0a', ''].join('\n'),
    );
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 3);
    assert.equal(lines[0].messages[0].type, 'login');
    assert.equal(lines[0].messages[0].deviceId, F.IMEI);
    assert.deepEqual(lines[0].replies, [F.LOGIN_ACK]);
    assert.deepEqual(
      lines[1].messages.map((m) => m.type),
      ['position', 'heartbeat'],
    );
    assert.equal(lines[1].messages[0].deviceId, F.IMEI, 'the login carries over: one connection');
    assert.deepEqual(lines[1].replies, [F.LOCATION_ACK, F.HEARTBEAT_ACK]);
    assert.deepEqual(lines[2].replies, ['78780b8a1801020304050000e9050d0a']); // time reply at --now
  });

  it('pins a protocol and reports bad lines without stopping', () => {
    const r = run(['--protocol', 'gt06'], `not hex\n${F.LOGIN}\n`);
    assert.equal(r.status, 0);
    const [bad, good] = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(bad.errors[0].code, 'malformed');
    assert.deepEqual(good.replies, [F.LOGIN_ACK]);
  });

  it('decodes Teltonika over TCP, over UDP with --transport udp (each line one datagram), by model with --model', () => {
    const json = (r) =>
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
    const tcp = run(['--protocol', 'teltonika'], [hex(T.login()), hex(T.avl([{}, {}]))].join('\n'));
    assert.equal(tcp.status, 0, tcp.stderr);
    assert.deepEqual(
      json(tcp).map((l) => l.replies),
      [['01'], [T.ack(2)]],
    );
    const datagram = hex(T.datagram({ packetId: 0xabcd, avlId: 1 }));
    // the first datagram cut short: dropped, and the next one still answered
    const udp = run(['--transport', 'udp'], [datagram.slice(0, 60), datagram].join('\n'));
    assert.equal(udp.status, 0, udp.stderr);
    const [cut, whole] = json(udp);
    assert.deepEqual(cut.replies, []);
    assert.match(cut.errors.map((e) => e.message).join(), /incomplete frame/);
    assert.deepEqual(whole.replies, ['0005abcd010101']);
    assert.deepEqual([whole.messages[0].protocol, whole.messages[0].deviceId], ['teltonika', T.IMEI]);
    assert.equal(run(['--transport', 'sctp'], '').status, 2);
    // --model names the model family's elements (analogue input 1 on the FMB family)
    const lines = [hex(T.login()), hex(T.avl([{ io: { 2: { 9: 4500 } } }]))].join('\n');
    const [, raw] = json(run([], lines));
    const [, fmb] = json(run(['--model', 'FMB920'], lines));
    assert.deepEqual([raw.messages[0].attributes.io9, fmb.messages[0].attributes.adc1], [4500, 4.5]);
  });

  it('refuses an unknown protocol with a usage message', () => {
    const r = run(['--protocol', 'nope'], '');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown protocol/);
  });
});
