'use strict';
// JT600 and VT600 codecs: hand-checked values, exact replies, detection on the shared port, bad input.
const assert = require('node:assert/strict');
const fc = require('fast-check');
const { createSession, getCodec } = require('../../dist/index.js');
const { textChecksum } = require('../lib/jt600');
const { assertNoCodecException } = require('../lib/framing');
const F = require('../fixtures/gt06-frames');

const J600 = require('../fixtures/traccar/jt600.json');
const V600 = require('../fixtures/traccar/vt600.json');
const vec = (V, seq) => Buffer.from(V.decode.find((v) => v.seq === seq).hex, 'hex');
const ascii = (s) => Buffer.from(s, 'latin1');

/** A VT600 frame with a correct length and checksum. */
function vt600(imei, code, content, flag = 'A') {
  const body = `,${imei},${code},${content}`;
  const text = `&&${flag}${body.length}${body}`;
  let sum = 0;
  for (const c of Buffer.from(text, 'latin1')) sum = (sum + c) & 0xff;
  return ascii(`${text}${sum.toString(16).toUpperCase().padStart(2, '0')}\r\n`);
}

describe('JT600 codec', () => {
  it('decodes the worked example (vector #30): time, position, west longitude, speed, course, altitude', () => {
    const s = createSession();
    const r = s.push(vec(J600, 30));
    assert.equal(s.protocol, 'jt600');
    const [m] = r.messages;
    assert.equal(m.deviceId, '3110216001');
    assert.equal(m.time, '2011-02-16T05:59:10.000Z');
    assert.ok(Math.abs(m.lat - 22.54977) < 1e-5 && Math.abs(m.lon + 114.07705) < 1e-5);
    assert.equal(m.valid, true);
    assert.equal(m.speed, 9.26); // 5 knots
    assert.equal(m.course, 304);
    assert.equal(m.satellites, 9);
    assert.equal(m.altitude, 291);
    assert.equal(m.attributes.power, 80);
    assert.deepEqual(m.network.cellTowers[0], { mcc: 0, mnc: 0, lac: 5173, cid: 10133, rssi: 22 });
    assert.deepEqual(r.replies, [], 'short frames are not acknowledged');
  });

  it('acknowledges a JT701D long record that asks for it with (P69,0,<serial>)', () => {
    const r = createSession().push(vec(J600, 5));
    assert.deepEqual(r.replies.map(String), ['(P69,0,110)']);
    assert.equal(r.messages.length, 1);
  });

  it('a batch (data type 3) gives one archived position per record', () => {
    const r = createSession().push(vec(J600, 16));
    assert.equal(r.messages.length, 15);
    assert.ok(r.messages.every((m) => m.attributes.archive === true && m.type === 'position'));
  });

  it('answers U01 with (S39) and U06 with (S20), keeping the U06 alarm code', () => {
    const s = createSession();
    const u01 = s.push(vec(J600, 20));
    assert.deepEqual(u01.replies.map(String), ['(S39)']);
    assert.equal(u01.messages[0].speed, 8.38); // 5.21 mph
    const u06 = s.push(vec(J600, 24));
    assert.deepEqual(u06.replies.map(String), ['(S20)']);
    assert.equal(u06.messages[0].attributes.alarmCode, 1);
    assert.deepEqual(u06.messages[0].alarms, ['general']);
  });

  it('checks the JT600c check code and reports a wrong one', () => {
    const good = '(3460311327,U01,220916,135251,T,9.552607,N,13.658292,W,0.31,0,9,0%,00001001000000,11012,10,27,0,0,';
    const ck = textChecksum(good);
    assert.equal(ck, '33', 'vector #25 carries 33');
    const ok = createSession().push(ascii(`${good}${ck})`));
    assert.ok(!ok.errors.some((e) => e.code === 'checksum'));
    const bad = createSession().push(ascii(`${good}00)`));
    assert.ok(bad.errors.some((e) => e.code === 'checksum'));
    assert.equal(bad.messages.length, 1, 'decoded anyway');
    const strict = createSession({ strictChecksum: true }).push(ascii(`${good}00)`));
    assert.deepEqual(strict.messages, []);
  });

  it('acknowledges P45 lock events with (P69,0,<index>)', () => {
    const r = createSession().push(vec(J600, 2));
    assert.deepEqual(r.replies.map(String), ['(P69,0,0)']);
    assert.equal(r.messages[0].attributes.driverUniqueId, '0012260888');
  });

  it('emits @JT heartbeats and U09 trips instead of dropping them', () => {
    const s = createSession();
    assert.equal(s.push(ascii('(3460311327,@JT)')).messages[0].type, 'heartbeat');
    const [trip] = s.push(vec(J600, 37)).messages;
    assert.equal(trip.type, 'trip');
    assert.equal(trip.attributes.tripNumber, 129);
    assert.equal(trip.attributes.startTime, '2013-05-28T11:30:36.000Z');
    assert.ok(trip.attributes.startLat < 0 && trip.attributes.startLon > 0);
  });

  it('decodes a WLNET sensor (vector #1, with escapes): temperature and humidity', () => {
    const [m] = createSession().push(vec(J600, 1)).messages;
    assert.equal(m.attributes.temp1, 27.5);
    assert.equal(m.attributes.humidity, 71);
  });

  it('encodes commands and refuses text that would break the framing', () => {
    const codec = getCodec('jt600');
    const enc = (c) => codec.encodeCommand(c, { state: {}, options: {} }).frames[0].toString();
    assert.equal(enc({ type: 'engineStop' }), '(S07,0)');
    assert.equal(enc({ type: 'setTimezone', offset: -300 }), '(S09,1,-300)');
    assert.equal(enc({ type: 'custom', text: 'S17' }), '(S17)');
    assert.throws(() => enc({ type: 'custom', text: 'S07,0)(S17' }), /"\(", "\)"/);
  });
});

describe('VT600 codec', () => {
  it('decodes every field group of a 000 report (vector #13: fuel1 120.0, temp2 -30.9)', () => {
    const s = createSession();
    s.push(vec(V600, 2)); // a valid first frame: a damaged one could not claim a new connection
    const r = s.push(vec(V600, 13));
    const [m] = r.messages;
    assert.equal(m.deviceId, '021104023195429');
    assert.equal(m.time, '2018-01-06T09:30:46.000Z');
    assert.equal(m.lat, 22.64643);
    assert.equal(m.lon, 114.06573);
    assert.equal(m.speed, 54);
    assert.equal(m.course, 86);
    assert.equal(m.altitude, 76);
    assert.equal(m.attributes.odometer, 326781);
    assert.equal(m.attributes.fuel1, 120);
    assert.equal(m.attributes.temp1, 31.7);
    assert.equal(m.attributes.temp2, -30.9);
    assert.equal(m.attributes.power, 12.5);
    assert.equal(m.attributes.battery, 3.96);
    assert.equal(m.attributes.adc2, 4.56);
    assert.equal(m.ignition, true); // inputs 02: input 2, the ignition line
    assert.deepEqual(m.network.cellTowers[0], { mcc: 460, mnc: 0, lac: 0x27b3, cid: 0x0ea7, rssi: 27 });
    // the vendor document's example has a wrong length and checksum: decoded, and both reported
    assert.deepEqual(r.errors.map((e) => e.code).sort(), ['checksum', 'length']);
  });

  it('maps event codes to alarms: SOS', () => {
    const content = '1,,240102030405,A,22.5,114.25,9,0.8,36,90,12,1000,460|0|249F|00001093,20,001C,02,00,04A7|019C';
    const r = createSession().push(vt600('866123456789012', '000', content));
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.messages[0].alarms, ['sos']);
    assert.equal(r.messages[0].ignition, true);
    assert.deepEqual(r.replies, [], 'VT600 reports are not acknowledged');
  });

  it('turns other codes into command results', () => {
    const [m] = createSession().push(vec(V600, 8)).messages;
    assert.deepEqual([m.type, m.attributes.commandCode, m.attributes.result], ['result', '129', 'OK']);
  });

  it('frames by length even though 710 content holds CR LF, and splits anywhere', () => {
    const stream = Buffer.concat([vec(V600, 1), vec(V600, 2), vec(V600, 8)]);
    for (let cut = 1; cut < stream.length; cut += 7) {
      const s = createSession();
      const types = [...s.push(stream.subarray(0, cut)).messages, ...s.push(stream.subarray(cut)).messages].map(
        (m) => m.type,
      );
      assert.deepEqual(types, ['status', 'position', 'result'], `cut at ${cut}`);
    }
  });

  it('encodes $$ commands with length and checksum, refusing line breaks', () => {
    const codec = getCodec('vt600');
    const conn = { deviceId: '123456789012345', state: {}, options: {} };
    assert.equal(
      codec.encodeCommand({ type: 'engineResume' }, conn).frames[0].toString(),
      '$$:24,123456789012345,900,1,09E\r\n',
    );
    assert.equal(
      codec.encodeCommand({ type: 'outputControl', index: 2, data: 1 }, conn).frames[0].toString(),
      '$$:24,123456789012345,900,2,1A0\r\n',
    );
    assert.throws(() => codec.encodeCommand({ type: 'custom', text: '900,1,1\r\n$$' }, conn), /line breaks/);
  });
});

describe('detection on one port', () => {
  const cases = [
    ['GT06', Buffer.from(F.LOGIN, 'hex'), 'gt06'],
    ['JT/T 808', Buffer.from('7e0002000004304832546500b7ca7e', 'hex'), 'jt808'],
    ['JT600 binary', vec(J600, 30), 'jt600'],
    ['JT600 text', vec(J600, 20), 'jt600'],
    ['VT600', vec(V600, 2), 'vt600'],
  ];
  for (const [name, bytes, protocol] of cases) {
    it(`${name} is recognised from its first frame, even after junk and split in two`, () => {
      const s = createSession();
      // not HTTP: an HTTP request is a phone's (osmand), not junk
      const junk = Buffer.from('SSH-2.0-probe\r\n\r\n$junk(((', 'latin1');
      const all = Buffer.concat([junk, bytes]);
      const half = Math.floor(all.length / 2) + 3;
      s.push(all.subarray(0, half));
      const r = s.push(all.subarray(half));
      assert.equal(s.protocol, protocol);
      assert.ok(r.messages.length + r.replies.length > 0);
    });
  }

  it('a JT/T 808 e-lock "(" frame is not taken for JT600', () => {
    const s = createSession();
    s.push(Buffer.from('283739343130343030343134302c312c3030312c424153452c322c54494d4529', 'hex'));
    assert.notEqual(s.protocol, 'jt600');
  });

  it('truncated JT600 and VT600 frames at every cut, and random bytes, never throw', () => {
    for (const bytes of [vec(J600, 5), vec(J600, 20), vec(J600, 1), vec(V600, 13), vec(V600, 1)]) {
      for (let cut = 1; cut < bytes.length; cut++) {
        const s = createSession();
        assert.doesNotThrow(() => {
          s.push(bytes.subarray(0, cut));
          s.push(Buffer.from(')\r\n&&'));
        });
        assertNoCodecException(s);
      }
    }
    // Random chunks rich in the text protocols' delimiters (fast-check's generator, fixed seed).
    const byte = fc.oneof(fc.constantFrom(0x24, 0x28, 0x29, 0x26, 0x2c, 0x0d, 0x0a), fc.integer({ min: 0, max: 255 }));
    const chunks = fc.sample(fc.array(byte, { minLength: 1, maxLength: 50 }), { seed: 99, numRuns: 1000 });
    for (const start of [vec(J600, 30), vec(V600, 2)]) {
      const s = createSession();
      s.push(start);
      for (const bytes of chunks) {
        const junk = Buffer.from(bytes);
        assert.doesNotThrow(() => s.push(junk));
        assert.ok(s.bufferedBytes <= 16384);
      }
      assertNoCodecException(s);
    }
  });
});
