'use strict';
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const F = require('../fixtures/gt06-frames');
const T = require('../lib/teltonika');

const hex = (b) => b.toString('hex');

const BIN = path.join(__dirname, '..', '..', 'bin', 'tracker-decode.js');
const run = (args, input) => spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8' });
/** The JSON lines a run printed. */
const lines = (r) =>
  r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('tracker-decode CLI', () => {
  it('prints one JSON line per hex line of one connection, with replies in hex', () => {
    const r = run(
      ['--now', '2024-01-02T03:04:05Z'],
      [F.LOGIN, F.LOCATION + F.HEARTBEAT, '7878058a000688290d0a', ''].join('\n'),
    );
    assert.equal(r.status, 0, r.stderr);
    const got = lines(r);
    assert.equal(got.length, 3);
    assert.equal(got[0].messages[0].type, 'login');
    assert.equal(got[0].messages[0].deviceId, F.IMEI);
    assert.deepEqual(got[0].replies, [F.LOGIN_ACK]);
    assert.deepEqual(
      got[1].messages.map((m) => m.type),
      ['position', 'heartbeat'],
    );
    assert.equal(got[1].messages[0].deviceId, F.IMEI, 'the login carries over: one connection');
    assert.deepEqual(got[1].replies, [F.LOCATION_ACK, F.HEARTBEAT_ACK]);
    assert.deepEqual(got[2].replies, ['78780b8a1801020304050000e9050d0a']); // time reply at --now
  });

  it('pins a protocol and reports bad lines without stopping', () => {
    const r = run(['--protocol', 'gt06'], `not hex\n${F.LOGIN}\n`);
    assert.equal(r.status, 0);
    const [bad, good] = lines(r);
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

  it('decodes captured HTTP requests (osmand) through the HTTP path, pinned or auto-detected', () => {
    const V = require('../fixtures/traccar/osmand.json');
    const json = V.decode.find((v) => v.group.endsWith('Json') && v.seq === 3).hex;
    const noId = V.decode.find((v) => v.httpStatus === 400).hex;
    const query = Buffer.from('GET /?id=7&lat=52.5&lon=13.4&timestamp=1700000000 HTTP/1.1\r\n\r\n').toString('hex');
    for (const protocol of ['osmand', 'auto']) {
      // the JSON request arrives in two pieces, then two pipelined requests in one line
      const cut = 60;
      const r = run(['--protocol', protocol], [json.slice(0, cut), json.slice(cut), noId + query, ''].join('\n'));
      assert.equal(r.status, 0, r.stderr);
      const got = lines(r);
      assert.equal(got.length, 3);
      assert.deepEqual([got[0].messages, got[0].replies], [[], []], 'half a request: nothing yet');
      assert.deepEqual(
        [got[1].messages[0].deviceId, got[1].messages[0].lat, got[1].messages[0].speed],
        ['8737767034', -6.1148096, 67.21],
      );
      assert.match(Buffer.from(got[1].replies[0], 'hex').toString(), /^HTTP\/1\.1 200 OK\r\ncontent-length: 0\r\n/);
      const both = Buffer.from(got[2].replies[0], 'hex').toString();
      assert.deepEqual(
        [...both.matchAll(/HTTP\/1\.1 (\d+)/g)].map((m) => m[1]),
        ['400', '200'],
      );
      assert.equal(got[2].errors[0].code, 'not-identified');
      assert.equal(got[2].messages[0].time, '2023-11-14T22:13:20.000Z');
    }
  });

  it('decodes TK103 and watch captures, pinned or detected, with the device clock offset', () => {
    const hex = (s) => Buffer.from(s, 'latin1').toString('hex');
    const bp05 = hex('(088047365460BP05354188047365460150929A3258.1754S02755.4323E009.4193927301.9000000000L00000000)');
    for (const protocol of ['tk103', 'auto']) {
      const [line] = run(['--protocol', protocol], `${bp05}\n`).stdout.trim().split('\n').map(JSON.parse);
      assert.equal(line.messages[0].protocol, 'tk103');
      assert.equal(line.messages[0].time, '2015-09-29T19:39:27.000Z');
      assert.deepEqual(line.replies, [hex('(088047365460AP05)')]);
    }
    const ud = hex(
      '[SG*8800000015*0087*UD,220414,134652,A,22.571707,N,113.8613968,E,0.1,0.0,100,7,60,90,1000,50,0000,0,0]',
    );
    const al = hex(
      '[SG*8800000015*0011*AL,220414,134652,A,22.571707,N,113.8613968,E,0.1,0.0,100,7,60,90,1000,50,00010000,0,0]',
    );
    const r = run(['--protocol', 'watch', '--timezone', '480'], `${ud}\n${al}\n`);
    assert.equal(r.status, 0, r.stderr);
    const [pos, alarm] = r.stdout.trim().split('\n').map(JSON.parse);
    assert.equal(pos.messages[0].time, '2014-04-22T05:46:52.000Z', 'a watch on GMT+8');
    assert.deepEqual(alarm.messages[0].alarms, ['sos']);
    assert.deepEqual(alarm.replies, [hex('[SG*8800000015*0002*AL]')]);
  });

  it('refuses an unknown protocol with a usage message', () => {
    const r = run(['--protocol', 'nope'], '');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown protocol/);
  });
});
