'use strict';
// GPS103 codec: hand-checked values, exact replies, local-time rules, framing (split, merged, junk), commands and
// their answers, photos, bad input.
const assert = require('node:assert/strict');
const { createSession, getCodec } = require('../../dist/index.js');
const { linearity } = require('../lib/linear');
const { pushAll } = require('../lib/push');
const { makeConnection, emptyOutput } = require('../lib/vectors');

const G = require('../fixtures/traccar/gps103.json');
const vec = (seq) => Buffer.from(G.decode.find((v) => v.seq === seq).hex, 'hex');
/** A vector as a device sends it today: older samples in the vectors lack the `;` that ends a message. */
const wire = (seq) => {
  const b = vec(seq);
  return b[b.length - 1] === 0x3b || b[b.length - 1] === 0x2a ? b : Buffer.concat([b, Buffer.from(';')]);
};
const ascii = (s) => Buffer.from(s, 'latin1');
const NOW = Date.UTC(2024, 0, 2, 3, 4, 5);
const session = (options = {}) => createSession({ protocol: 'gps103', now: () => NOW, ...options });
const near = (a, b) => Math.abs(a - b) < 1e-5;
const IMEI = '359586015829802';

/** A regular report: keyword, local time, F, UTC time, the fix, then `rest` fields. */
const report = (keyword, local, utc, position = 'A,5230.0000,N,01324.0000,E', rest = '10.00,90') =>
  ascii(`imei:${IMEI},${keyword},${local},,F,${utc},${position},${rest};`);

describe('GPS103 codec', () => {
  it('login `##,imei:...,A;` is answered LOAD, the bare IMEI heartbeat ON, other reports nothing', () => {
    const s = createSession({ now: () => NOW });
    const login = s.push(ascii(`##,imei:${IMEI},A;`));
    assert.equal(s.protocol, 'gps103');
    assert.deepEqual([login.replies.map(String), login.messages[0].type, s.deviceId], [['LOAD'], 'login', IMEI]);
    const beat = s.push(ascii(`${IMEI};`));
    assert.deepEqual([beat.replies.map(String), beat.messages[0].type], [['ON'], 'heartbeat']);
    const r = s.push(report('tracker', '240102050405', '030405.000'));
    assert.deepEqual(r.replies, []);
    assert.equal(r.messages[0].type, 'position');
  });

  it('decodes a report by hand: position, knots to km/h, course, altitude, ACC, door, fuel, temperature', () => {
    const [m] = session().push(
      report(
        'tracker',
        '240102050405',
        '030405.000',
        'A,2234.4669,S,11354.3287,W',
        '10.00,321.53,-12.5,1,0,45.16%,,+23',
      ),
    ).messages;
    assert.ok(near(m.lat, -(22 + 34.4669 / 60)) && near(m.lon, -(113 + 54.3287 / 60)));
    assert.deepEqual(
      [m.time, m.valid, m.speed, m.course, m.altitude, m.ignition],
      ['2024-01-02T03:04:05.000Z', true, 18.52, 321.53, -12.5, true],
    );
    assert.deepEqual(m.attributes, { door: false, fuel1: 45.16, temp1: 23 });
  });

  it('rebuilds UTC from the local date-time and the UTC time of day (vectors #42-#44)', () => {
    const times = [42, 43, 44].map((seq) => session().push(wire(seq)).messages[0].time);
    assert.deepEqual(times, ['2015-10-30T00:01:01.000Z', '2015-10-26T23:59:57.000Z', '2015-10-27T01:15:31.000Z']);
  });

  it('applies the offset it learnt to messages with the local clock only (OBD, no UTC time, no GPS)', () => {
    const s = session();
    // local 05:04 at UTC 03:04:05: UTC+2
    s.push(report('tracker', '2401020504', '030405.000'));
    const obd = s.push(
      ascii(`imei:${IMEI},OBD,240102050420,51442,0.00,15.88,5632,122,40.39%,95,0.00%,2101,13.80,,,,;`),
    );
    assert.equal(obd.messages[0].time, '2024-01-02T03:04:20.000Z');
    const noUtc = s.push(report('tracker', '240102050430', '31.0'));
    assert.equal(noUtc.messages[0].time, '2024-01-02T03:04:30.000Z');
    const noGps = s.push(ascii(`imei:${IMEI},help me,240102050440,,L,,,296a,,51f7,,,;`));
    assert.equal(noGps.messages[0].time, '2024-01-02T03:04:40.000Z');
  });

  it('uses the server device clock setting when there is one (and for zones beyond 12 h)', () => {
    // UTC+13 (Tonga): local 2024-01-02 16:04 is 03:04 UTC the same day; the folded difference would say -11 h
    const s = session({ timezoneOffset: 780 });
    const [m] = s.push(report('tracker', '2401021604', '030405.000')).messages;
    assert.equal(m.time, '2024-01-02T03:04:05.000Z');
    const [unset] = session().push(report('tracker', '2401021604', '030405.000')).messages;
    assert.equal(unset.time, '2024-01-03T03:04:05.000Z', 'without the setting the rebuilt day is a day late');
    const obd = s.push(ascii(`imei:${IMEI},OBD,240102160420,1,,,0,0,0.00%,0,0.00%,0,12.0,;`));
    assert.equal(obd.messages[0].time, '2024-01-02T03:04:20.000Z');
  });

  it('keywords: alarms, the SOS acknowledgement, ignition, temperature, fuel, RFID, photo, events', () => {
    const cases = [
      ['help me', ['sos']],
      ['low battery', ['lowBattery']],
      ['move', ['movement']],
      ['speed', ['overspeed']],
      ['ac alarm', ['powerCut']],
      ['door alarm', ['door']],
      ['stockade', ['geofence']],
      ['accident alarm', ['accident']],
      ['sensor alarm', ['vibration']],
      ['bonnet alarm', ['bonnet']],
      ['footbrake alarm', ['footBrake']],
      ['DTC', ['fault']],
      ['T:-5.5', ['temperature']],
      ['oil 51.67', ['fuelLeak']],
      ['tracker', []],
      ['acc on', []],
    ];
    for (const [keyword, alarms] of cases) {
      const r = session().push(report(keyword, '2401020304', '030405.000'));
      assert.deepEqual(r.messages[0].alarms, alarms, keyword);
      assert.deepEqual(r.replies.map(String), keyword === 'help me' ? [`**,imei:${IMEI},E;`] : [], keyword);
    }
    const at = (keyword, rest) =>
      session().push(report(keyword, '2401020304', '030405.000', undefined, rest)).messages[0];
    assert.equal(at('T:-5.5').attributes.temp1, -5.5);
    assert.equal(at('oil 51.67').attributes.fuel, 51.67);
    assert.equal(at('acc on').ignition, true);
    assert.equal(at('acc off', '0.00,0,,1,0').ignition, true, 'the ACC field has the last word');
    assert.equal(at('acc alarm').attributes.eventName, 'acc alarm');
    const rfid = session().push(
      ascii(`imei:${IMEI},rfid,2401020304,0012345678,F,030405.000,A,5230.0000,N,01324.0000,E,0,0;`),
    );
    assert.equal(rfid.messages[0].attributes.driverUniqueId, '0012345678');
  });

  it('no-GPS reports: the cell in hex, alarms kept (help me without a fix is still an SOS)', () => {
    const r = session().push(wire(39));
    const [m] = r.messages;
    assert.deepEqual([m.type, m.alarms, m.lat], ['alarm', ['sos'], undefined]);
    assert.deepEqual(m.network.cellTowers, [{ mcc: 0, mnc: 0, lac: 0x113b, cid: 0x558f }]);
    assert.deepEqual(r.replies.map(String), ['**,imei:359710049075097,E;']);
    assert.equal(session().push(wire(47)).messages[0].type, 'status');
  });

  it('OBD reports: engine values with units; an OBD report without them says nothing', () => {
    const [m] = session().push(wire(17)).messages;
    assert.deepEqual(m.attributes, {
      obdOdometer: 195874000,
      fuelConsumption: 370.8,
      hours: 808 * 3600000,
      obdSpeed: 66,
      engineLoad: 30,
      coolantTemp: 87,
      throttle: 13,
      rpm: 2444,
      power: 14.3,
    });
    assert.equal(session().push(wire(12)).messages[0].attributes.dtcs, 'P0137 P0430');
    const empty = session().push(wire(35));
    assert.deepEqual([empty.messages, empty.errors.map((e) => e.code)], [[], ['malformed']]);
  });

  it('the alternative `*`-terminated format: signed degrees, km/h, UTC', () => {
    const [m] = session().push(wire(9)).messages;
    assert.deepEqual(
      [m.time, m.lat, m.lon, m.speed, m.course, m.altitude, m.satellites, m.valid, m.ignition],
      ['2018-10-24T21:47:34.000Z', -33.42317, -70.6193, 67, 229, 674, 8, true, false],
    );
    assert.deepEqual(m.attributes, { rssi: 26, hdop: 1, charge: true });
  });

  it('a photo announced by vtNN comes out when its last vr packet arrives', () => {
    const s = session();
    s.push(report('vt2', '2401020304', '030405.000'));
    const packet = (index, bytes) => {
      const b = Buffer.concat([
        Buffer.from([index, 0, bytes.length, 0]),
        Buffer.from(bytes),
        Buffer.from([0xaa, 0xbb]),
      ]);
      return ascii(`imei:${IMEI},vr,${b.toString('hex')};`);
    };
    assert.deepEqual(s.push(packet(0, [0xff, 0xd8, 0x01])).messages, []);
    const [m] = s.push(packet(1, [0x02, 0xff, 0xd9])).messages;
    assert.deepEqual(
      [m.type, m.attributes.mediaType, m.attributes.mediaFormat, m.attributes.media.toString('hex')],
      ['media', 'image', 'jpeg', 'ffd80102ffd9'],
    );
    const stray = s.push(packet(0, [1, 2, 3]));
    assert.deepEqual(
      stray.errors.map((e) => e.code),
      ['malformed'],
      'a packet nobody announced',
    );
  });

  it('frames: `;`, `*`, line ends; blanks between messages; a heartbeat glued to a report', () => {
    const frames = [
      ascii(`##,imei:${IMEI},A;`),
      ascii('\r\n'),
      ascii(`${IMEI};`),
      report('tracker', '2401020304', '030405.000'),
      ascii(`${IMEI}imei:${IMEI},tracker,2401020304,,F,030406.000,A,5230.0000,N,01324.0000,E,0,0;`),
      ascii(`imei:${IMEI},tracker,2401020304,,F,030407.000,A,5230.0000,N,01324.0000,E,0,0\r\n`),
      wire(9),
      report('help me', '2401020304', '030408.000'),
    ];
    const stream = Buffer.concat(frames);
    const summary = (out) => out.messages.map((m) => `${m.type}@${m.time}:${m.alarms}`);
    const alone = pushAll(session(), frames);
    assert.equal(alone.messages.length, 7);
    assert.deepEqual(alone.replies.map(String), ['LOAD', 'ON', 'ON', `**,imei:${IMEI},E;`]);
    for (let cut = 0; cut < stream.length; cut++) {
      const out = pushAll(session(), [stream.subarray(0, cut), stream.subarray(cut)]);
      assert.deepEqual(summary(out), summary(alone), `cut at ${cut}`);
      assert.deepEqual(out.replies.map(String), alone.replies.map(String), `cut at ${cut}`);
      assert.deepEqual(out.errors, [], `cut at ${cut}`);
    }
  });

  it('skips junk and reports cut-short messages, then decodes the next one', () => {
    const junk = ascii('GET / HTTP/1.1\r\nHost: x\r\n\x00\x01123;imei:12;');
    const out = pushAll(session(), [junk, ascii(`imei:${IMEI},trac`), report('tracker', '2401020304', '030405.000')]);
    assert.equal(out.messages.length, 1);
    assert.ok(out.errors.length > 0 && out.errors.every((e) => e.code === 'junk' || e.code === 'malformed'));
    assert.deepEqual(out.replies, [], 'no ON for a short run of digits');
  });

  it('framing work grows linearly with runs of start markers (64 KiB)', () => {
    const codec = getCodec('gps103');
    for (const unit of ['imei:', '##,imei:', '1', 'i', ';', '#', `${IMEI}imei:1`, `imei:${IMEI},tracker,`]) {
      const { perByte, growth } = linearity(codec, unit);
      assert.ok(perByte < 16 && growth < 2.1, `${unit}: ${perByte} reads/byte, x${growth}`);
    }
  });
});

describe('GPS103 detection', () => {
  const detect = (text) => getCodec('gps103').detect(ascii(text), 0, text.length);

  it('claims logins, reports and IMEI heartbeats; never a lone digit or a short run', () => {
    assert.equal(detect(`##,imei:${IMEI},A;`), 1);
    assert.equal(detect(`imei:${IMEI},tracker,2401020304,,L,;`), 1);
    assert.equal(detect(`${IMEI};`), 1);
    assert.equal(detect(`${IMEI}imei:${IMEI},tracker,2401020304,,L,;`), 1);
    assert.equal(detect(`${IMEI}`), 2, 'waits for what follows the digits');
    assert.equal(detect('12345;'), 0);
    assert.equal(detect('1'), 2);
    assert.equal(detect('123456789012345678901;'), 0);
    assert.equal(detect('**,imei:1,B'), 0, 'the server command prefix');
  });
});

describe('GPS103 commands', () => {
  const encode = (command) => {
    const c = makeConnection(getCodec('gps103'));
    c.deviceId = '123456789012345';
    return getCodec('gps103').encodeCommand(command, c);
  };

  it('encodes every declared command; intervals in whole units, rounded down', () => {
    const wire = (command) => String(encode(command).frames[0]).slice('**,imei:123456789012345,'.length);
    assert.deepEqual(
      ['positionSingle', 'positionStop', 'engineStop', 'engineResume', 'alarmArm', 'alarmDisarm', 'takePhoto'].map(
        (type) => wire({ type }),
      ),
      ['B', 'D', 'J', 'K', 'L', 'M', '160'],
    );
    assert.deepEqual(
      [30, 59, 60, 90, 3599, 3600, 7300].map((interval) => wire({ type: 'positionPeriodic', interval })),
      ['C,30s', 'C,59s', 'C,01m', 'C,01m', 'C,59m', 'C,01h', 'C,02h'],
    );
    assert.equal(wire({ type: 'custom', text: 'H,080' }), 'H,080');
    assert.throws(() => encode({ type: 'custom', text: 'H,080;J' }), /";"/);
  });

  it('an answer keyword (<code>t) finds its command', () => {
    const s = session();
    s.push(ascii(`##,imei:${IMEI},A;`));
    const stop = s.encodeCommand({ type: 'engineStop' });
    const speedLimit = s.encodeCommand({ type: 'custom', data: 'H,080' });
    const single = s.encodeCommand({ type: 'positionSingle' });
    assert.deepEqual(
      [stop.reference, speedLimit.reference, single.expectsAnswer, stop.expectsAnswer],
      ['code:J', 'code:H', false, true],
    );
    const r = s.push(report('jt', '2401020304', '030405.000'));
    assert.deepEqual(r.answers, [{ reference: 'code:J', status: 'result', result: 'jt', final: true }]);
    assert.equal(r.messages[0].attributes.eventName, 'jt');
  });
});

describe('GPS103 bad input', () => {
  it('truncated messages at every cut never throw; a bad IMEI identifies nobody', () => {
    const codec = getCodec('gps103');
    for (const seq of [0, 9, 13, 17, 31, 34, 45, 80]) {
      const bytes = vec(seq);
      for (let cut = 1; cut < bytes.length; cut++) {
        const c = makeConnection(codec);
        assert.doesNotThrow(() => codec.decode(bytes.subarray(0, cut), c, emptyOutput()));
        pushAll(session(), [bytes.subarray(0, cut), ascii(';\r\n')]);
      }
    }
    const s = session();
    const bad = pushAll(s, [ascii('imei:12x45,tracker,2401020304,,F,030405.000,A,5230.0000,N,01324.0000,E,0,0;')]);
    assert.equal(s.deviceId, undefined);
    assert.deepEqual(bad.messages, []);
  });
});
