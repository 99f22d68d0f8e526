'use strict';
// JT/T 808 codec: hand-checked values, exact replies, sub-package reassembly, bad input.
const assert = require('node:assert/strict');
const fc = require('fast-check');
const { createSession } = require('../../dist/index.js');
const J = require('../lib/jt808');
const { assertNoCodecException } = require('../lib/framing');

const V = require('../fixtures/traccar/jt808.json');
/** A decode vector, escaped again as it travels on the wire. */
const vector = (seq) => J.escapeFrame(V.decode.find((v) => v.seq === seq).hex);
const NOW = Date.UTC(2024, 0, 2, 3, 4, 5);
const hex = (s) => Buffer.from(s, 'hex');

function session(options = {}) {
  let now = NOW;
  const s = createSession({ protocol: 'jt808', now: () => now, ...options });
  s.advance = (ms) => (now += ms);
  return s;
}

const { locationBody } = J;

describe('JT/T 808 codec', () => {
  it('decodes the 0x0200 of vector #76 (hand-checked): GMT+8 time to UTC, 1e-6 degrees', () => {
    const s = session();
    const [m] = s.push(vector(76)).messages;
    assert.equal(m.type, 'position');
    assert.equal(m.deviceId, '13833501744');
    assert.equal(m.time, '2015-08-17T23:21:21.000Z');
    assert.equal(m.lat, 22.6426);
    assert.equal(m.lon, 114.032984);
  });

  it('reads alarm and status words: signs, validity, ignition, SOS; raw words kept', () => {
    const s = session();
    const [m] = s.push(J.frame({ msgId: 0x0200, body: locationBody({ alarm: 1, status: 0x0f }) })).messages;
    assert.equal(m.lat, -22.5);
    assert.equal(m.lon, -114.25);
    assert.equal(m.valid, true);
    assert.equal(m.ignition, true);
    assert.deepEqual(m.alarms, ['sos']);
    assert.equal(m.alarmFlags, 1);
    assert.equal(m.statusFlags, 0x0f);
    assert.equal(m.speed, 45.6);
    assert.equal(m.altitude, 12);
    assert.equal(m.time, '2024-01-02T03:04:05.000Z');
    const [utc] = session({ timezoneOffset: 0 }).push(J.frame({ msgId: 0x0200, body: locationBody() })).messages;
    assert.equal(utc.time, '2024-01-02T11:04:05.000Z', 'a configured clock offset replaces GMT+8');
  });

  it('decodes standard items with units, and ADAS/TPMS objects with the seed-001 fields', () => {
    const adas = Buffer.alloc(47);
    adas.writeUInt32BE(7, 0);
    adas[4] = 1; // start
    adas[5] = 2; // lane departure
    adas[6] = 2; // level 2
    hex('31323334353637' + '240102030405' + '04' + '05' + '00').copy(adas, 31); // terminal 1234567, time, serial, attachments
    // 24 bytes of alarm header and position, a 16-byte alarm identification, then one tyre event
    const tpms = Buffer.concat([Buffer.alloc(40), Buffer.from([1, 3, 0x00, 0x02, 0x01, 0x2c, 0x00, 0x1e, 0x00, 0x50])]);
    const body = locationBody({
      items: [
        [0x01, hex('00000064')],
        [0x02, hex('01f4')],
        [0x03, hex('01c8')],
        [0x25, hex('00000011')],
        [0x30, hex('1f')],
        [0x31, hex('0c')],
        [0x64, adas],
        [0x66, tpms],
      ],
    });
    const [m] = session().push(J.frame({ msgId: 0x0200, body })).messages;
    assert.equal(m.attributes.odometer, 10000);
    assert.equal(m.attributes.fuel, 50);
    assert.equal(m.attributes.tachographSpeed, 45.6);
    assert.equal(m.vehicleSignals, 0x11);
    assert.equal(m.attributes.rssi, 31);
    assert.equal(m.satellites, 12);
    assert.deepEqual(
      [
        m.attributes.adas.alarmId,
        m.attributes.adas.alarmFlag,
        m.attributes.adas.alarmType,
        m.attributes.adas.alarmLevel,
      ],
      [7, 1, 2, 2],
    );
    assert.match(m.attributes.adas.alarmInfoFlag, /^1234567_\d+_4_5$/);
    assert.deepEqual(m.attributes.tpms.events, [
      { position: 3, eventType: 2, tirePressure: 300, tireTemperature: 30, batteryQuantity: 80 },
    ]);
  });

  it('clamps every item to its length: short items and items past the body are reported, not read past', () => {
    const short = locationBody({
      items: [
        [0x64, hex('00000001')],
        [0x30, hex('10')],
      ],
    });
    const r1 = session().push(J.frame({ msgId: 0x0200, body: short }));
    assert.equal(r1.messages[0].attributes.rssi, 16, 'the item after the short one still decodes');
    assert.ok(r1.errors.some((e) => /0x64.*shorter than its content/.test(e.message)));
    const past = Buffer.concat([locationBody(), hex('30ff01')]);
    const r2 = session().push(J.frame({ msgId: 0x0200, body: past }));
    assert.equal(r2.messages.length, 1);
    assert.ok(r2.errors.some((e) => /declares 255 bytes/.test(e.message)));
  });

  it('turns a binary IMEI into digits with its Luhn digit', () => {
    const [m] = session().push(vector(106)).messages; // ID bytes 4eb6fb4ad628
    assert.equal(m.deviceId, '865478070001047');
  });

  describe('replies', () => {
    it('0x8001 to a heartbeat, echoing ID and serial', () => {
      const r = session().push(hex('7e0002000004304832546500b7ca7e'));
      assert.deepEqual(
        r.replies.map((b) => b.toString('hex')),
        ['7e80010005043048325465000000b70002004e7e'],
      );
    });
    it('0x8100 to a registration, with the terminal ID as auth code', () => {
      const r = session().push(hex('7e010000190940278494700012000000000000000000000000000000000000094027849470000a7e'));
      assert.equal(r.replies[0].toString('hex'), '7e8100000f09402784947000000012003039343032373834393437309c7e');
      assert.equal(r.messages[0].type, 'register');
    });
    it('2019 header: version byte, 10-byte ID, check code 0x7e escaped as 7d 02', () => {
      const r = session().push(vector(5));
      assert.equal(r.replies[0].toString('hex'), '7e8001400501000008664960775821640000881d0704007d027e');
    });
    it('0x8001 with result 3 to unknown messages, and an error record', () => {
      const r = session().push(J.frame({ msgId: 0x0f42, serial: 9 }));
      const p = J.parse(r.replies[0]);
      assert.equal(p.msgId, 0x8001);
      assert.deepEqual([...p.body], [0, 9, 0x0f, 0x42, 3]);
      assert.ok(p.checksumOk);
      assert.equal(r.errors[0].code, 'unknown-type');
    });
    it('no reply to the terminal general response 0x0001', () => {
      const r = session().push(J.frame({ msgId: 0x0001, body: hex('0005810500') }));
      assert.deepEqual(r.replies, []);
      assert.equal(r.messages[0].attributes.answerSerial, 5);
    });
  });

  describe('sub-packages', () => {
    const photo = Buffer.alloc(2500);
    for (let i = 0; i < photo.length; i++) photo[i] = (i * 7) & 0xff;
    const body = Buffer.concat([hex('0000002a'), Buffer.from([0, 0, 1, 1]), locationBody(), photo]);
    const parts = [body.subarray(0, 1000), body.subarray(1000, 2000), body.subarray(2000)];
    const packages = parts.map((p, i) => J.frame({ msgId: 0x0801, serial: 20 + i, pkg: [3, i + 1], body: p }));

    it('acknowledges each package and reassembles a 3-package 0x0801 photo, answering 0x8800 at the end', () => {
      const s = session();
      const replies = [];
      const messages = [];
      for (const p of packages) {
        const r = s.push(p);
        replies.push(...r.replies.map(J.parse));
        messages.push(...r.messages);
      }
      assert.deepEqual(
        replies.map((r) => r.msgId),
        [0x8001, 0x8001, 0x8001, 0x8800],
      );
      assert.deepEqual(
        replies.slice(0, 3).map((r) => r.body.readUInt16BE(0)),
        [20, 21, 22],
      );
      assert.equal(replies[3].body.readUInt32BE(0), 0x2a);
      assert.equal(messages.length, 1);
      assert.equal(messages[0].type, 'media');
      assert.ok(messages[0].attributes.media.equals(photo));
      assert.equal(messages[0].attributes.mediaType, 'image');
      assert.equal(messages[0].lat, 22.5);
    });

    it('asks for a missing package with 0x8003 after the timeout, then frees the memory', () => {
      const s = session({ reassemblyTimeout: 5 });
      s.push(packages[0]);
      s.push(packages[2]);
      assert.deepEqual(s.poll().replies, [], 'nothing before the timeout');
      s.advance(6000);
      const ask = J.parse(s.poll().replies[0]);
      assert.equal(ask.msgId, 0x8003);
      assert.deepEqual([...ask.body], [0, 20, 1, 0, 2]); // first serial 20, 1 missing: package 2
      const later = [];
      for (let i = 0; i < 4; i++) {
        s.advance(6000);
        later.push(s.poll());
      }
      assert.deepEqual(
        later.map((p) => p.replies.length),
        [1, 1, 0, 0],
        'three requests in all',
      );
      assert.ok(later[2].errors.some((e) => /never came/.test(e.message)));
      const late = s.push(packages[1]); // a late package now starts a new message, it does not complete the old one
      assert.equal(late.messages.length, 0);
    });
  });

  describe('bad input', () => {
    it('truncated frames, wrong check codes and lying lengths never throw', () => {
      const good = J.frame({ msgId: 0x0200, body: locationBody({ items: [[0x01, hex('00000064')]] }) });
      for (let cut = 1; cut < good.length; cut++) {
        const part = Buffer.concat([good.subarray(0, cut), hex('7e')]);
        const s = session();
        s.push(J.frame({ msgId: 0x0002 })); // a valid frame first: damaged ones are then decoded
        assert.doesNotThrow(() => s.push(part));
        assertNoCodecException(s);
      }
      const bad = Buffer.from(good);
      bad[bad.length - 2] ^= 0x55;
      const s = session();
      s.push(J.frame({ msgId: 0x0002 }));
      const r = s.push(bad);
      assert.ok(r.errors.some((e) => e.code === 'checksum'));
      const lying = J.frame({ msgId: 0x0200, body: locationBody() });
      lying[4] = 0x30; // declares more body than it carries
      assert.doesNotThrow(() => s.push(lying));
      assertNoCodecException(s);
    });

    it('a damaged frame on a new connection is junk: no reply, no identification', () => {
      const s = createSession();
      const bad = J.frame({ msgId: 0x0200, body: locationBody() });
      bad[4] = 0x30;
      bad[bad.length - 2] ^= 0x55;
      const r = s.push(bad);
      assert.deepEqual(r.replies, []);
      assert.equal(s.deviceId, undefined);
    });

    it('random bytes never throw and the next valid frame decodes', () => {
      const s = session();
      s.push(J.frame({ msgId: 0x0002 }));
      for (const bytes of fc.sample(fc.uint8Array({ minLength: 1, maxLength: 60 }), { seed: 7, numRuns: 2000 })) {
        const junk = Buffer.from(bytes);
        assert.doesNotThrow(() => s.push(junk));
        assert.ok(s.bufferedBytes <= 16384);
      }
      s.push(hex('7e')); // close whatever the junk left open
      const r = s.push(J.frame({ msgId: 0x0200, body: locationBody() }));
      assert.equal(r.messages.at(-1).type, 'position');
      assertNoCodecException(s);
    });
  });
});

describe('JT/T 808 command answers (out.answers)', () => {
  const session = () => createSession({ protocol: 'jt808' });
  /** 0x0001 general response to the platform message with this serial and ID. */
  const generalResponse = (serial, msgId, result = 0) =>
    J.frame({
      msgId: 0x0001,
      serial: 9,
      body: Buffer.from([serial >> 8, serial & 0xff, msgId >> 8, msgId & 0xff, result]),
    });

  for (const [type, command, answerId, answerBody] of [
    [
      'outputControl',
      { type: 'outputControl', data: 1 },
      0x0500,
      (serial) => Buffer.concat([Buffer.from([serial >> 8, serial & 0xff]), J.locationBody()]),
    ],
    [
      'positionSingle',
      { type: 'positionSingle' },
      0x0201,
      (serial) => Buffer.concat([Buffer.from([serial >> 8, serial & 0xff]), J.locationBody()]),
    ],
    [
      'queryParameters',
      { type: 'queryParameters' },
      0x0104,
      (serial) => Buffer.from([serial >> 8, serial & 0xff, 1, 0, 0, 0, 0x29, 4, 0, 0, 0, 30]),
    ],
  ]) {
    it(`${type}: the general response delivers it, the 0x${answerId.toString(16).padStart(4, '0')} data answer is its result`, () => {
      const s = session();
      s.push(J.frame({ msgId: 0x0002 }));
      const sent = s.encodeCommand(command);
      const serial = Number(sent.reference.split(':')[1]);
      const msgId = J.parse(sent.frames[0]).msgId;
      const ack = s.push(generalResponse(serial, msgId)).answers;
      assert.deepEqual(ack, [{ reference: `serial:${serial}`, status: 'delivered', result: 'success', final: false }]);
      const [answer] = s.push(J.frame({ msgId: answerId, body: answerBody(serial) })).answers;
      assert.equal(answer.reference, `serial:${serial}`);
      assert.equal(answer.status, 'result');
      assert.equal(answer.final, true);
    });
  }

  it('a refused command is final at the general response', () => {
    const s = session();
    s.push(J.frame({ msgId: 0x0002 }));
    const sent = s.encodeCommand({ type: 'engineStop' });
    const serial = Number(sent.reference.split(':')[1]);
    const [answer] = s.push(generalResponse(serial, 0x8105, 3)).answers;
    assert.deepEqual(answer, { reference: `serial:${serial}`, status: 'failed', result: 'unsupported', final: true });
  });
});

describe('JT/T 808 messages of real terminals', () => {
  const session = () => createSession({ protocol: 'jt808' });
  /** The general response a frame got: [answered serial, answered ID, result]. */
  const general = (reply) => {
    const p = J.parse(reply);
    assert.equal(p.msgId, 0x8001);
    return [p.body.readUInt16BE(0), p.body.readUInt16BE(2), p.body[4]];
  };

  it('2011 registration: province and city, then a 5-byte maker, 8-byte model, 7-byte ID, colour and plate', () => {
    const body = Buffer.concat([
      Buffer.from([0x00, 0x2c, 0x01, 0x2f]), // province 44, city 303
      Buffer.from('MAKER'),
      Buffer.from('MODEL-08'),
      Buffer.from('T000001'),
      Buffer.from([1]),
      Buffer.from('A12345'),
    ]);
    const [m] = session().push(J.frame({ msgId: 0x0100, body })).messages;
    assert.deepEqual(
      [m.attributes.province, m.attributes.city, m.attributes.manufacturer, m.attributes.terminalModel],
      [44, 303, 'MAKER', 'MODEL-08'],
    );
    assert.deepEqual([m.attributes.terminalId, m.attributes.plateColor, m.attributes.plate], ['T000001', 1, 'A12345']);
  });

  it('0x0108 upgrade result and 0x0301 event report are decoded and answered with result 0', () => {
    const s = session();
    const up = s.push(J.frame({ msgId: 0x0108, serial: 5, body: Buffer.from([0, 1]) }));
    assert.deepEqual(general(up.replies[0]), [5, 0x0108, 0]);
    assert.deepEqual([up.messages[0].attributes.upgradeType, up.messages[0].attributes.resultText], [0, 'failure']);
    const ev = s.push(J.frame({ msgId: 0x0301, serial: 6, body: Buffer.from([7]) }));
    assert.deepEqual(general(ev.replies[0]), [6, 0x0301, 0]);
    assert.equal(ev.messages[0].attributes.event, 7);
    assert.deepEqual([...up.errors, ...ev.errors], []);
  });

  it('0x0900 of a type we do not decode comes out raw (type and bytes)', () => {
    const r = session().push(J.frame({ msgId: 0x0900, body: Buffer.from([0x00, 0xde, 0xad, 0xbe, 0xef]) }));
    assert.equal(r.messages.length, 1);
    assert.deepEqual(
      [r.messages[0].type, r.messages[0].attributes.dataType, r.messages[0].attributes.data],
      ['data', 0, 'deadbeef'],
    );
  });

  it('0x0104 whose items overrun the body: reported as malformed, the items before kept, no garbage keys', () => {
    const body = Buffer.from([0x00, 0x07, 3, 0, 0, 0, 0x29, 4, 0, 0, 0, 30, 0, 0, 0, 0x13, 40, 0x31, 0x32]);
    const r = session().push(J.frame({ msgId: 0x0104, body }));
    assert.deepEqual(r.messages[0].attributes.parameters, { '0x0029': 30 });
    assert.ok(r.errors.some((e) => e.code === 'malformed' && /parameter 2 of 3 overruns/.test(e.message)));
  });
});
