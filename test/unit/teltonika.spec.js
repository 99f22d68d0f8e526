'use strict';
// Teltonika codec: hand-checked values, exact replies, the CRC rule, split and merged chunks, UDP, commands,
// and framing that stays linear whatever arrives.
const assert = require('node:assert/strict');
const { createSession, getCodec, validateCommand } = require('../../dist/index.js');
const { crc16ibm } = require('../lib/crc');
const T = require('../lib/teltonika');
const { makeConnection, emptyOutput } = require('../lib/vectors');
const { linearity } = require('../lib/linear');
const { pushAll } = require('../lib/push');

const V = require('../fixtures/traccar/teltonika.json');
const vec = (seq, group = 'TeltonikaProtocolDecoderTest.testDecode') =>
  Buffer.from(V.decode.find((v) => v.group === group && v.seq === seq).hex, 'hex');
const hex = (b) => b.toString('hex');
const codec = getCodec('teltonika');

/** A session that has seen the login of T.IMEI (its `01` already taken). */
function loggedIn(options = {}) {
  const s = createSession({ protocol: 'teltonika', ...options });
  assert.deepEqual(s.push(T.login()).replies.map(hex), ['01']);
  return s;
}

/** Every error of a push must be one the codec reported on purpose, never a decoder exception. */
function noCodecFailure(result) {
  for (const e of result.errors) assert.notEqual(e.code, 'codec-exception', e.message);
  return result;
}

describe('Teltonika codec', () => {
  it('answers the IMEI login 01, detects the protocol from it and names the device', () => {
    const s = createSession();
    const r = s.push(T.login());
    assert.equal(s.protocol, 'teltonika');
    assert.equal(s.deviceId, T.IMEI);
    assert.deepEqual(r.replies.map(hex), ['01']);
    assert.deepEqual(
      r.messages.map((m) => [m.type, m.deviceId]),
      [['login', T.IMEI]],
    );
  });

  it('decodes the worked example (vector #38) field by field and answers 00000001', () => {
    const s = loggedIn();
    const r = s.push(vec(38));
    assert.deepEqual(r.replies.map(hex), ['00000001']);
    assert.deepEqual(r.errors, []);
    const [m] = r.messages;
    assert.equal(m.type, 'position');
    assert.equal(m.time, '2013-08-31T15:00:41.710Z');
    assert.equal(m.lon, 21.432776);
    assert.equal(m.lat, 37.6743392);
    assert.deepEqual([m.altitude, m.course, m.satellites, m.valid, m.speed], [-4, 0, 9, true, 0]);
    assert.deepEqual(m.attributes, { priority: 0, event: 0, in1: false, motion: false, power: 12.835, io24: 0 });
  });

  it('drops an AVL packet before the login, unanswered', () => {
    const s = createSession({ protocol: 'teltonika' });
    const r = s.push(T.avl());
    assert.deepEqual(r.replies, []);
    assert.deepEqual(r.messages, []);
    assert.deepEqual(
      r.errors.map((e) => e.code),
      ['not-identified'],
    );
  });

  it('Codec 8, 8 Extended and 16: GPS element, events, priority panic as sos, every element size', () => {
    for (const codec of [0x08, 0x8e, 0x10]) {
      const s = loggedIn();
      const io = {
        1: { 1: 1, 239: 1, 240: 0, 21: 4, 200: 2 },
        2: { 66: 12835, 67: 4012, 17: 0xfff6, 199: 1500 },
        4: { 16: 123456, 241: 24602 },
        8: { 78: 0x1122334455667788n, 11: 0x8944501234567890n, 99: 0xffffffffffffffffn },
      };
      const r = noCodecFailure(
        s.push(T.avl([{ priority: 2, event: 239, io, lat: -33.5, lon: -70.25, altitude: -12, speed: 77 }], codec)),
      );
      assert.deepEqual(r.replies.map(hex), ['00000001'], `codec ${codec}`);
      const [m] = r.messages;
      assert.deepEqual([m.lat, m.lon, m.altitude, m.speed, m.course], [-33.5, -70.25, -12, 77, 90]);
      assert.deepEqual(m.alarms, ['sos']);
      assert.equal(m.ignition, true);
      const a = m.attributes;
      assert.deepEqual(
        [a.priority, a.event, a.in1, a.motion, a.rssi, a.power, a.battery, a.axisX, a.tripOdometer, a.odometer],
        [2, 239, true, false, 4, 12.835, 4.012, -10, 1500, 123456],
      );
      assert.equal(a.operator, 24602);
      // iButton: its 8 bytes least significant first
      assert.equal(a.driverUniqueId, '8877665544332211');
      // without a model, model-specific IDs stay raw (8-byte values signed, beyond 2^53 as text)
      assert.deepEqual([a.io200, a.io11, a.io99], [2, String(BigInt.asIntN(64, 0x8944501234567890n)), -1]);
      assert.equal(a.generationType, codec === 0x10 ? 5 : undefined);
    }
  });

  it('names the FMB family’s elements when the model says so (adc, fuel, speed, cell, alarms, door)', () => {
    const io = {
      1: { 89: 55, 246: 1, 175: 0, 253: 2 },
      2: { 9: 4500, 24: 63, 84: 415, 205: 3001, 206: 17 },
      4: { 241: 24602 },
      8: { 11: 8944501234567890123n },
    };
    const plain = loggedIn().push(T.avl([{ io }])).messages[0];
    assert.deepEqual(
      [plain.attributes.io9, plain.attributes.io89, plain.speed, plain.alarms, plain.network],
      [4500, 55, 40, ['hardBraking'], undefined],
    );
    const fmb = loggedIn({ model: 'FMB920' }).push(T.avl([{ io }])).messages[0];
    const a = fmb.attributes;
    assert.deepEqual([a.adc1, a.fuelLevel, a.fuel, a.iccid, fmb.speed], [4.5, 55, 41.5, '8944501234567890123', 63]);
    assert.deepEqual(fmb.alarms.sort(), ['geofenceExit', 'hardBraking', 'tow']);
    assert.deepEqual(fmb.network, { cellTowers: [{ mcc: 246, mnc: 2, lac: 17, cid: 3001 }] });
  });

  it('Codec 8 Extended variable-length elements: VIN, trouble codes, BLE sensors; others as hex', () => {
    // header, then one sensor of 12 bytes: ID (1) of 6 bytes, flags (2) with the voltage byte
    const sensors = Buffer.from([0x01, 0x0c, 0x01, 0x06, 0xba, 0xbb, 0xf3, 0x63, 0x00, 0x55, 0x02, 0x02, 0x80, 0x6d]);
    const s = loggedIn();
    const r = noCodecFailure(
      s.push(
        T.avl(
          [
            {
              variable: {
                256: Buffer.from('WVWZZZ1JZXW000001'),
                281: Buffer.from('P0101,P0300'),
                548: sensors,
                4000: Buffer.from([0xde, 0xad]),
              },
            },
          ],
          0x8e,
        ),
      ),
    );
    assert.deepEqual(r.replies.map(hex), ['00000001']);
    const a = r.messages[0].attributes;
    assert.deepEqual(
      [a.vin, a.dtcs, a.tag1Id, a.tag1Battery, a.io4000],
      ['WVWZZZ1JZXW000001', 'P0101 P0300', 'babbf3630055', 3.09, 'dead'],
    );
  });

  it('a CRC mismatch is reported and not acknowledged; the resent packet is acknowledged, its records not repeated', () => {
    const s = loggedIn();
    const good = T.avl([{ speed: 12 }, { speed: 13 }]);
    const bad = Buffer.from(good);
    bad.writeUInt32BE(good.readUInt32BE(good.length - 4) ^ 1, good.length - 4);
    const first = s.push(bad);
    assert.deepEqual(first.replies, []);
    assert.deepEqual(
      first.errors.map((e) => e.code),
      ['checksum'],
    );
    assert.deepEqual(
      first.messages.map((m) => m.speed),
      [12, 13],
    );
    const again = s.push(bad);
    assert.deepEqual([again.replies, again.messages], [[], []], 'the same damaged packet: nothing new');
    const fixed = s.push(good);
    assert.deepEqual(fixed.replies.map(hex), ['00000002']);
    assert.deepEqual(fixed.messages, [], 'already emitted');
    const next = s.push(good);
    assert.equal(next.messages.length, 2, 'a packet after an acknowledged one is new data');

    const strict = loggedIn({ strictChecksum: true }).push(bad);
    assert.deepEqual([strict.replies, strict.messages], [[], []]);
  });

  it('a packet whose records do not add up is reported and not acknowledged', () => {
    const s = loggedIn();
    const data = T.avlData(0x08, [T.record(), T.record()]);
    data[1] = 3; // three records announced, two carried
    data[data.length - 1] = 3;
    const r = noCodecFailure(s.push(T.packet(data)));
    assert.deepEqual([r.replies, r.messages], [[], []]);
    assert.match(r.errors.map((e) => `${e.code} ${e.message}`).join(), /malformed record 3 of 3/);
  });

  it('records with a 16-byte element group are recognised and the setting kept for the connection', () => {
    const s = loggedIn();
    const r = noCodecFailure(s.push(vec(45)));
    assert.deepEqual(r.replies.map(hex), ['0000000b']);
    assert.equal(r.messages.length, 11);
    assert.deepEqual(noCodecFailure(s.push(vec(45))).replies.map(hex), ['0000000b']);
  });

  it('the GH3000 codec 07: float coordinates, masks, seconds since 2007', () => {
    const s = loggedIn();
    const r = noCodecFailure(s.push(vec(37)));
    assert.deepEqual(r.replies.map(hex), ['00000002']);
    assert.equal(r.messages.length, 2);
    for (const m of r.messages) {
      assert.ok(Math.abs(m.lat) <= 90 && Math.abs(m.lon) <= 180);
      assert.ok(m.time > '2007' && m.time < '2030', m.time);
    }
  });

  it('streams: login, packets and keep-alives in one chunk or byte by byte give the same replies', () => {
    const stream = Buffer.concat([T.login(), T.avl([{ speed: 1 }]), Buffer.from([0xff]), T.avl([{}, {}, {}])]);
    const whole = createSession().push(stream);
    assert.deepEqual(whole.replies.map(hex), ['01', '00000001', '00000003']);
    const s = createSession();
    const pieces = [];
    for (let i = 0; i < stream.length; i++) pieces.push(s.push(stream.subarray(i, i + 1)));
    assert.deepEqual(pieces.flatMap((p) => p.replies).map(hex), ['01', '00000001', '00000003']);
    assert.equal(pieces.flatMap((p) => p.messages).length, whole.messages.length);
    assert.deepEqual(
      pieces.flatMap((p) => p.errors),
      [],
    );
  });

  it('skips junk between frames and decodes the next one', () => {
    const s = loggedIn();
    const r = s.push(Buffer.concat([Buffer.from('hello, world\r\n'), Buffer.alloc(9), T.avl()]));
    assert.deepEqual(r.replies.map(hex), ['00000001']);
    assert.ok(r.errors.length >= 1 && r.errors.every((e) => e.code === 'junk'));
  });

  it('framing and detection work grows linearly with runs of start markers (64 KiB)', () => {
    const markers = {
      zeros: '00',
      'logins cut short': `000f${'31'.repeat(14)}`,
      'packet headers of 256 data bytes': '00000000000001000801',
      'datagram headers': `0049cafe0122000f${'33'.repeat(15)}08`,
      'keep-alives and digits': 'ff0f31',
    };
    for (const [name, unit] of Object.entries(markers)) {
      for (const scan of ['frameLength', 'detect']) {
        const { perByte, growth } = linearity(codec, Buffer.from(unit, 'hex'), scan);
        assert.ok(perByte < 32 && growth < 2.1, `${name}, ${scan}: ${perByte} reads/byte, x${growth}`);
      }
      // and through a session they leave it ready for the next frame
      const s = loggedIn({ maxBufferBytes: 4096 });
      const out = pushAll(s, [Buffer.alloc(65536, Buffer.from(unit, 'hex')), Buffer.alloc(20000), T.avl()]);
      assert.deepEqual(out.replies.map(hex).slice(-1), ['00000001'], name);
      assert.ok(s.bufferedBytes <= 4096);
    }
  });

  it('UDP: a datagram names the device and is answered with its packet ID, AVL packet ID and count', () => {
    const s = createSession({ transport: 'udp' });
    const r = noCodecFailure(s.push(T.datagram({ packetId: 0x1234, avlId: 0x07, records: [{}, { priority: 2 }] })));
    assert.equal(s.protocol, 'teltonika');
    assert.equal(s.deviceId, T.IMEI);
    assert.deepEqual(r.replies.map(hex), ['0005123401' + '0702']);
    assert.deepEqual(
      r.messages.map((m) => m.alarms),
      [[], ['sos']],
    );
    // Traccar's connectionless vector, its packet ID echoed
    const v = createSession({ transport: 'udp' });
    assert.deepEqual(v.push(vec(0, 'TeltonikaProtocolDecoderTest.testDecodeConnectionless')).replies.map(hex), [
      '0005cafe012201',
    ]);
  });

  it('UDP: a datagram that does not add up is not answered', () => {
    const s = createSession({ protocol: 'teltonika', transport: 'udp' });
    const short = T.datagram();
    short.writeUInt16BE(short.length, 0); // says one byte more than it has
    assert.deepEqual(s.push(short).replies, []);
    s.discardBuffered();
    const counts = T.datagram();
    counts[counts.length - 1] = 2;
    const r = noCodecFailure(s.push(counts));
    assert.deepEqual(r.replies, []);
  });

  it('Codec 12 answers become result records and command answers; they are never acknowledged', () => {
    const s = loggedIn();
    const text = s.push(T.commandMessage('DOUT1:1 Timeout:INFINITY\r\n'));
    assert.deepEqual(text.replies, []);
    assert.deepEqual(
      text.messages.map((m) => [m.type, m.attributes.result]),
      [['result', 'DOUT1:1 Timeout:INFINITY']],
    );
    assert.deepEqual(text.answers, [{ status: 'result', result: 'DOUT1:1 Timeout:INFINITY', final: true }]);
    const binary = s.push(vec(17));
    assert.deepEqual(
      binary.answers.map((a) => a.result),
      ['010300010015d5c5'],
    );
    const camera = s.push(vec(1, 'TeltonikaProtocolDecoderTest.testDecodePhoto'));
    assert.deepEqual([camera.replies, camera.messages], [[], []]);
    assert.deepEqual(
      camera.errors.map((e) => e.code),
      ['unknown-type'],
    );
  });

  it('Codec 14 answers: type 06 is the result, type 11 says the IMEI did not match', () => {
    const s = loggedIn();
    const ok = s.push(T.commandMessage('Ver:03.27.07_04', { imei: T.IMEI }));
    assert.deepEqual(ok.answers, [{ status: 'result', result: 'Ver:03.27.07_04', final: true }]);
    const nack = s.push(T.commandMessage('', { imei: '352093081452251', type: 0x11 }));
    assert.deepEqual(
      nack.answers.map((a) => a.status),
      ['failed'],
    );
    assert.deepEqual(nack.replies, []);
  });

  it('Codec 13 serial data: the device time, the text, a GTSL driver card; 8-byte millisecond times too', () => {
    const s = loggedIn();
    const [gtsl] = s.push(vec(5)).messages;
    assert.deepEqual(
      [gtsl.type, gtsl.time, gtsl.attributes.driverUniqueId],
      ['data', '2023-04-03T20:45:05.000Z', '12749884'],
    );
    const [ms] = s.push(vec(15)).messages;
    assert.deepEqual([ms.time, ms.attributes.data], ['2019-07-19T13:52:52.000Z', 'getinfo']);
  });

  it('the vectors on the wire: a session pinned to teltonika and an auto-detecting one give the same', () => {
    const run = (protocol) => {
      const sessions = new Map();
      const got = [];
      for (const v of V.decode) {
        // a packet shorter than its length field never completes on a stream (the framer waits for the rest)
        if (v.lengthValid === false) continue;
        if (!sessions.has(v.group)) sessions.set(v.group, createSession({ protocol, transport: v.transport }));
        const r = sessions.get(v.group).push(Buffer.from(v.hex, 'hex'));
        got.push({
          seq: v.seq,
          records: r.messages.map((m) => `${m.type} ${m.lat},${m.lon}`),
          replies: r.replies.map(hex),
          errors: r.errors.map((e) => e.code),
        });
      }
      return got;
    };
    const pinned = run('teltonika');
    assert.deepEqual(run('auto'), pinned);
    assert.ok(pinned.reduce((n, g) => n + g.records.length, 0) >= 70);
    assert.deepEqual(
      pinned.flatMap((g) => g.errors).filter((code) => code === 'junk' || code === 'unknown-protocol'),
      [],
    );
  });

  it('every vector gets Traccar’s reply, except where we differ on purpose', () => {
    const conns = new Map();
    const deliberate = [];
    for (const v of V.decode) {
      if (!conns.has(v.group)) conns.set(v.group, makeConnection(codec, { transport: v.transport }));
      const conn = conns.get(v.group);
      const out = emptyOutput();
      codec.decode(Buffer.from(v.hex, 'hex'), conn, out);
      const got = out.replies.map(hex).join() || null;
      if (got === (v.reply ?? null)) continue;
      if (v.crcValid === false || v.lengthValid === false) deliberate.push(`#${v.seq} damaged: not acknowledged`);
      else if (v.transport === 'udp' && got === '0005cafe012201') deliberate.push('UDP: packet ID echoed');
      else if (v.group.endsWith('testDecodePhoto')) deliberate.push(`photo #${v.seq}: camera not decoded`);
      else assert.fail(`#${v.seq} (${v.group}): replied ${got}, Traccar ${v.reply}`);
    }
    assert.equal(deliberate.length, 7, deliberate.join('\n'));
  });
});

describe('Teltonika commands', () => {
  const conn = () => {
    const c = makeConnection(codec);
    c.deviceId = T.IMEI;
    return c;
  };
  const encode = (command, c = conn()) =>
    codec.encodeCommand(validateCommand('teltonika', codec.commands, command), c).frames[0];

  it('sends the encode vectors byte for byte, and raw bytes given as hex', () => {
    for (const e of V.encode) {
      const command = { type: e.command, ...e.attributes };
      if (/^([0-9A-Fa-f]{2})+$/.test(e.attributes.data ?? '')) {
        command.hex = command.data;
        delete command.data;
      }
      assert.equal(hex(encode(command)), e.hex, e.name);
    }
  });

  it('Codec 12 layout, with the CRC of an independent implementation', () => {
    for (const [command, text] of [
      [{ type: 'getInfo' }, 'getinfo'],
      [{ type: 'getVersion' }, 'getver'],
      [{ type: 'reboot' }, 'cpureset'],
      [{ type: 'outputControl', index: 2, data: 1 }, 'setdigout ?1'],
      [{ type: 'outputControl', index: 1, value: 0 }, 'setdigout 0'],
      [{ type: 'custom', text: 'setparam 2004:example.com' }, 'setparam 2004:example.com'],
    ]) {
      const f = encode(command);
      assert.equal(f.readUInt32BE(0), 0);
      assert.equal(f.readUInt32BE(4), f.length - 12);
      assert.deepEqual([...f.subarray(8, 11)], [0x0c, 0x01, 0x05]);
      assert.equal(f.readUInt32BE(11), text.length);
      assert.equal(f.toString('latin1', 15, 15 + text.length), text);
      assert.equal(f[f.length - 5], 1);
      assert.equal(f.readUInt32BE(f.length - 4), crc16ibm(f.subarray(8, f.length - 4)));
    }
  });

  it('Codec 14 names the IMEI as 8 BCD bytes; the size counts them', () => {
    const f = encode({ type: 'getVersion', checkImei: true });
    assert.equal(
      hex(f),
      `00000000000000160e01050000000e035630704244101367657476657201${crc16ibm(f.subarray(8, f.length - 4))
        .toString(16)
        .padStart(8, '0')}`,
    );
  });

  it('refuses what the device could not take', () => {
    assert.throws(() => encode({ type: 'custom' }), /either "text" or "hex"/);
    assert.throws(() => encode({ type: 'custom', text: 'a', hex: '01' }), /either "text" or "hex"/);
    assert.throws(() => encode({ type: 'custom', text: 'getinfo\r\n' }), /printable ASCII/);
    assert.throws(() => encode({ type: 'outputControl', index: 5, data: 1 }), /index/);
    const udp = makeConnection(codec, { transport: 'udp' });
    udp.deviceId = T.IMEI;
    assert.throws(() => encode({ type: 'getInfo' }, udp), /TCP only/);
  });
});
