'use strict';
// GT06 decoder: hand-checked values, every reply byte for byte (docs/protocols/gt06.md), and bad input.
const assert = require('node:assert/strict');
const fc = require('fast-check');
const { getCodec, createSession } = require('../../dist/index.js');
const { makeConnection, emptyOutput } = require('../lib/vectors');
const { crc16 } = require('../lib/crc');
const F = require('../fixtures/gt06-frames');
const { assertNoCodecException } = require('../lib/framing');

const codec = getCodec('gt06');
const NOW = Date.UTC(2024, 0, 2, 3, 4, 5);

/** A 7878 frame of `type` with `content` and `serial`, with a correct CRC. */
function frame(type, content, serial = 1) {
  const body = Buffer.concat([Buffer.from([type]), Buffer.from(content), Buffer.from([serial >> 8, serial & 0xff])]);
  const f = Buffer.concat([Buffer.from([0x78, 0x78, body.length + 2]), body, Buffer.alloc(4)]);
  f.writeUInt16BE(crc16(f.subarray(2, f.length - 4)), f.length - 4);
  f[f.length - 2] = 0x0d;
  f[f.length - 1] = 0x0a;
  return f;
}

function loggedIn(options = {}) {
  const conn = makeConnection(codec, options, NOW);
  codec.decode(Buffer.from(F.LOGIN, 'hex'), conn, emptyOutput());
  return conn;
}

function decode(conn, buf) {
  const out = emptyOutput();
  codec.decode(Buffer.isBuffer(buf) ? buf : Buffer.from(buf, 'hex'), conn, out);
  return out;
}

/** date + GPS block for 2020-01-02 03:04:05 at the given coordinates and course/status flags. */
function gpsBlock(lat, lon, flags, speed = 36) {
  const b = Buffer.alloc(18);
  b.set([20, 1, 2, 3, 4, 5, 0xc7], 0);
  b.writeUInt32BE(Math.round(Math.abs(lat) * 1800000), 7);
  b.writeUInt32BE(Math.round(Math.abs(lon) * 1800000), 11);
  b[15] = speed;
  b.writeUInt16BE(flags, 16);
  return b;
}
const LBS = Buffer.from('01cc0028660f2132', 'hex');

describe('GT06 decoder', () => {
  it('decodes the full fix of vector #143 (hand-checked)', () => {
    const [m] = decode(loggedIn(), '78781f120f0a140e150bc505e51e780293a9e800540000f601006e0055da00035f240d0a').messages;
    assert.equal(m.type, 'position');
    assert.equal(m.time, '2015-10-20T14:21:11.000Z');
    assert.equal(m.valid, true);
    assert.ok(Math.abs(m.lat - 54.94535) < 1e-5 && Math.abs(m.lon - 24.01762) < 1e-5);
    assert.equal(m.satellites, 5);
    assert.equal(m.speed, 0);
    assert.equal(m.course, 0);
    assert.deepEqual(m.network.cellTowers, [{ mcc: 246, mnc: 1, lac: 110, cid: 21978 }]);
  });

  it('signs latitude and longitude by the hemisphere bits, reads course, fix and ACC', () => {
    const cases = [
      [0x1400 | 90, 1, 1], // north (bit 10), east, valid
      [0x1000 | 90, -1, 1], // south
      [0x1c00 | 90, 1, -1], // north, west (bit 11)
      [0x1800 | 90, -1, -1], // south, west
    ];
    for (const [flags, ls, os] of cases) {
      const [m] = decode(loggedIn(), frame(0x12, Buffer.concat([gpsBlock(22.5, 114.25, flags), LBS]))).messages;
      assert.equal(m.lat, 22.5 * ls);
      assert.equal(m.lon, 114.25 * os);
      assert.equal(m.course, 90);
      assert.equal(m.valid, true);
      assert.equal(m.speed, 36);
      assert.equal(m.ignition, undefined, 'no ACC field without bit 14');
    }
    const [acc] = decode(loggedIn(), frame(0x12, Buffer.concat([gpsBlock(1, 1, 0xc400), LBS]))).messages;
    assert.equal(acc.ignition, true);
    assert.equal(acc.valid, false);
  });

  it('applies the timezone the device announces at login (0x190a = GMT-4:00)', () => {
    const conn = makeConnection(codec, {}, NOW);
    const login = decode(conn, '787811010864717003664467100f190a0002c6d20d0a');
    assert.equal(login.messages[0].attributes.timezoneOffset, -240);
    const [m] = decode(conn, frame(0x12, Buffer.concat([gpsBlock(1, 1, 0x1400), LBS]))).messages;
    assert.equal(m.time, '2020-01-02T07:04:05.000Z'); // 03:04:05 at GMT-4
    const configured = loggedIn({ timezoneOffset: 480 });
    const [n] = decode(configured, frame(0x12, Buffer.concat([gpsBlock(1, 1, 0x1400), LBS]))).messages;
    assert.equal(n.time, '2020-01-01T19:04:05.000Z'); // a configured offset wins
  });

  describe('replies', () => {
    it('login ACK echoes the serial', () => {
      assert.equal(decode(makeConnection(codec), F.LOGIN).replies[0].toString('hex'), '787805010001d9dc0d0a');
    });
    it('location with serial 3', () => {
      const f = frame(0x12, Buffer.concat([gpsBlock(1, 1, 0x1400), LBS]), 3);
      assert.equal(decode(loggedIn(), f).replies[0].toString('hex'), '787805120003903f0d0a');
    });
    it('status with serial 0x01bf', () => {
      const f = frame(0x13, [0x44, 0x06, 0x04, 0x00, 0x02], 0x01bf);
      assert.equal(decode(loggedIn(), f).replies[0].toString('hex'), '7878051301bfacdc0d0a');
    });
    it('0x8A time request gets the server UTC time, serial 0', () => {
      assert.equal(
        decode(loggedIn(), '7878058a000688290d0a').replies[0].toString('hex'),
        '78780b8a1801020304050000e9050d0a',
      );
    });
    it('0x2A address request gets "no address" in a 7979 0x97 frame', () => {
      const out = decode(
        loggedIn(),
        '78782e2a0f0c1d071139ca027ac8000c4658000014d83132353230313335333231373730373900000000000001002a6ece0d0a',
      );
      assert.deepEqual(
        out.replies.map((r) => r.toString('hex')),
        ['79790015970b000000004e4126264e4126263023230000e61e0d0a'],
      );
      assert.deepEqual(out.messages, []);
    });
    it('Wi-Fi 0x69 is answered with its own BCD time, no serial or CRC', () => {
      const out = decode(
        loggedIn(),
        '787803691604130318491475905bd30e25001e10bbf7635d14759006e626560501cc0028660f213228660f1f2828660ea81e286610731428660f20140d0a',
      );
      assert.deepEqual(
        out.replies.map((r) => r.toString('hex')),
        ['7878006916041303184 90d0a'.replace(/ /g, '')],
      );
      const [m] = out.messages;
      assert.equal(m.type, 'network');
      assert.equal(m.network.wifiAccessPoints.length, 3);
      assert.equal(m.network.wifiAccessPoints[0].mac, '14:75:90:5b:d3:0e');
      assert.equal(m.network.cellTowers.length, 5);
      assert.equal(m.time, '2016-04-13T03:18:49.000Z');
    });
    it('no reply to 0x21 string info and to extended 0x94', () => {
      assert.deepEqual(
        decode(loggedIn(), '797900262100000000020043006f006d006d0061006e00640020006500720072006f0072002100236e850d0a')
          .replies,
        [],
      );
      assert.deepEqual(decode(loggedIn(), '79790008940b02e3048614200d0a').replies, []);
    });
    it('extended 0x32 (AZ735) is answered with a 7979 ACK', () => {
      const out = decode(loggedIn(), '797900143311070609020b00000000a0030046000109e4610d0a');
      assert.equal(out.replies[0].toString('hex').slice(0, 14), '79790005330109');
    });
    it('no reply before login, and frames before login are dropped', () => {
      const out = decode(makeConnection(codec), frame(0x12, Buffer.concat([gpsBlock(1, 1, 0x1400), LBS])));
      assert.deepEqual(out.replies, []);
      assert.deepEqual(out.messages, []);
      assert.equal(out.errors[0].code, 'not-identified');
    });
  });

  it('an SOS alarm frame gives alarms ["sos"] and its ACK', () => {
    const out = decode(loggedIn(), F.SOS);
    assert.deepEqual(out.messages[0].alarms, ['sos']);
    assert.equal(out.messages[0].type, 'position');
    assert.equal(out.replies[0].toString('hex'), F.SOS_ACK);
  });

  it('reports a CRC mismatch, decodes anyway by default, drops it with strictChecksum', () => {
    const bad = Buffer.from(F.HEARTBEAT, 'hex');
    bad[bad.length - 3] ^= 0xff;
    const loose = decode(loggedIn(), bad);
    assert.equal(loose.errors[0].code, 'checksum');
    assert.equal(loose.messages.length, 1);
    const strict = decode(loggedIn({ strictChecksum: true }), bad);
    assert.equal(strict.errors[0].code, 'checksum');
    assert.deepEqual(strict.messages, []);
    assert.deepEqual(strict.replies, []);
  });

  it('counts and reports unknown types without crashing, acknowledging 7878 ones', () => {
    const out = decode(loggedIn(), frame(0x5e, [1, 2, 3], 7));
    assert.equal(out.errors[0].code, 'unknown-type');
    assert.equal(out.replies[0].toString('hex').slice(0, 12), '7878055e0007');
    const s = createSession();
    s.push(Buffer.from(F.LOGIN, 'hex'));
    s.push(frame(0x5e, [1, 2, 3]));
    assert.equal(s.stats.unknownTypes, 1);
  });

  it('truncated frames of every main type give error records, never exceptions', () => {
    const samples = [
      F.LOCATION,
      F.SOS,
      F.HEARTBEAT,
      '78782222120616083817c5050cc8c801a819d600152400e8011dbf003332000000004862500d0a', // 0x22
      '787829a01707150f2d0ecd01635100041e96d000087c02d4020000912e000000000718798d000e0006ed3ce50d0a', // 0xA0
      '78782da41a0509160203cf05be31f80c306530001c0010012ed000007ef40000000006428b074205041302ff0009389c0d0a', // 0xA4
      '7979003e3819050e0e0c26c5010fd98e0905f53000ccab0e000302c80100000c240000000000048b08001b002e04000015c4003b020000003c0401020001021f60220d0a', // 0x38
    ];
    for (const hex of samples) {
      const full = Buffer.from(hex, 'hex');
      for (let cut = 3; cut < full.length; cut++) {
        const part = Buffer.concat([full.subarray(0, cut), Buffer.from('0d0a', 'hex')]);
        assert.doesNotThrow(() => decode(loggedIn(), part), `${hex.slice(0, 10)} cut at ${cut}`);
      }
    }
  });

  it('random bytes after login never throw and leave the session working', () => {
    // Random chunks, every third starting like a GT06 frame header (fast-check's generator, fixed seed).
    const header = fc.tuple(fc.integer({ min: 0, max: 39 }), fc.constantFrom(0x12, 0x13, 0x16, 0x22, 0xa0, 0x94));
    const chunk = fc.tuple(fc.uint8Array({ minLength: 4, maxLength: 83 }), header);
    const s = createSession();
    s.push(Buffer.from(F.LOGIN, 'hex'));
    const samples = fc.sample(chunk, { seed: 12345, numRuns: 2000 });
    for (let i = 0; i < samples.length; i++) {
      const [bytes, [length, type]] = samples[i];
      const junk = Buffer.from(bytes);
      if (i % 3 === 0) junk.set([0x78, 0x78, length, type], 0);
      assert.doesNotThrow(() => s.push(junk));
      assert.ok(s.bufferedBytes <= 16384);
    }
    s.push(Buffer.alloc(300, 0)); // flush whatever partial frame the junk left
    const r = s.push(Buffer.from(F.HEARTBEAT, 'hex'));
    assert.equal(r.messages.at(-1)?.type, 'heartbeat');
    assertNoCodecException(s);
  });
});
