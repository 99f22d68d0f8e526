'use strict';
// TK103 codec: worked examples checked by hand, exact replies, split/merged chunks and junk, linear framing,
// local time, bad input, commands.
const assert = require('node:assert/strict');
const fc = require('fast-check');
const { createSession, getCodec, expandFlags } = require('../../dist/index.js');
const { frameAll, assertLinear, assertNoCodecException, pushBytewise, pushAtCuts, joined } = require('../lib/framing');

const V = require('../fixtures/traccar/tk103.json');
const vec = (seq) => Buffer.from(V.decode.find((v) => v.seq === seq).hex, 'hex');
const ascii = (s) => Buffer.from(s, 'latin1');
const codec = getCodec('tk103');
const NOW = Date.UTC(2024, 0, 2, 3, 4, 5);

describe('TK103 codec', () => {
  it('decodes the worked example BR00 (vector #34) field by field', () => {
    const s = createSession();
    const r = s.push(vec(34));
    assert.equal(s.protocol, 'tk103');
    const [m] = r.messages;
    assert.equal(m.deviceId, '088047365460');
    assert.equal(m.type, 'position');
    assert.equal(m.time, '2015-10-24T05:51:48.000Z');
    assert.equal(m.valid, true);
    // 25°55.3531' S, 28°55.3329' E
    assert.ok(Math.abs(m.lat - -(25 + 55.3531 / 60)) < 1e-9 && Math.abs(m.lon - (28 + 55.3329 / 60)) < 1e-9);
    assert.equal(m.speed, 4.7); // km/h as sent
    assert.equal(m.course, 276.17);
    assert.equal(m.attributes.odometer, 0x9aa3); // L00009AA3, metres
    assert.equal(m.status, 0x01000000); // state 01000000
    assert.equal(m.ignition, true);
    assert.equal(m.attributes.charge, true);
    assert.equal(m.attributes.fuel, 0);
    assert.deepEqual(r.replies, [], 'BR00 is not answered');
    assertNoCodecException(s, [r]);
  });

  it('answers BP05 with AP05 (keeping the IMEI), BP00 with AP01HSO and BO01 with AS01 + the alarm digit', () => {
    const s = createSession();
    const login = s.push(vec(35));
    assert.deepEqual(login.replies.map(String), ['(088047365460AP05)']);
    assert.equal(login.messages[0].attributes.imei, '354188047365460');
    assert.deepEqual(s.push(vec(14)).replies.map(String), ['(027044702512AP01HSO)']);
    const alarm = s.push(vec(44));
    assert.deepEqual(alarm.replies.map(String), ['(013666666666AS012)']);
    assert.deepEqual(alarm.messages[0].alarms, ['sos']);
    assert.equal(alarm.messages[0].attributes.alarmCode, 2);
    // digit 0 is "vehicle power off"
    const cut = s.push(ascii('(013666666666BO010110925A1234.5678N01234.5678W000.0025948118.7200000000L000024DE)'));
    assert.deepEqual(cut.replies.map(String), ['(013666666666AS010)']);
    assert.deepEqual(cut.messages[0].alarms, ['powerCut']);
    // the comma form's BP05 gets no AP05 (as with Traccar, which those units work with)
    assert.deepEqual(s.push(vec(51)).replies, []);
  });

  it('decodes the comma form: day-first dates, alarms by code, ZC20 battery, DW5x cells and Wi-Fi', () => {
    const s = createSession();
    const [p] = s.push(vec(51)).messages;
    assert.deepEqual([p.time, p.valid, p.speed, p.course], ['2014-04-24T11:28:25.000Z', true, 4.8, 155.49]);
    assert.ok(Math.abs(p.lat - 45.45586) < 1e-5 && Math.abs(p.lon - 9.16626) < 1e-5);
    assert.deepEqual(s.push(vec(56)).messages[0].alarms, ['movement']); // ZC11
    assert.deepEqual(s.push(vec(16)).messages[0].alarms, ['removing']); // ZC17
    const [battery] = s.push(vec(64)).messages; // ZC20,040613,040137,6,42,112,0
    assert.deepEqual(battery.attributes, { batteryLevel: 100, battery: 0.42, power: 11.2 });
    assert.equal(battery.time, '2013-06-04T04:01:37.000Z');
    const [lbs] = s.push(vec(66)).messages;
    assert.equal(lbs.type, 'network');
    assert.deepEqual(lbs.network.cellTowers, [{ mcc: 210, mnc: 6, lac: 5995, cid: 47701 }]);
    assert.equal(lbs.network.wifiAccessPoints.length, 5);
    assert.deepEqual(lbs.network.wifiAccessPoints[0], { mac: '30:ee:cc:e7:86:dd', rssi: -59 });
    // 0°45.7895' east: a leading zero dropped
    assert.ok(Math.abs(s.push(vec(4)).messages[0].lon - 45.7895 / 60) < 1e-9);
  });

  it('a ZC03 command result is a result record and the answer to the oldest command waiting', () => {
    const r = createSession().push(vec(69));
    assert.equal(r.messages[0].type, 'result');
    assert.equal(r.messages[0].attributes.result, 'Notice: Device version: 1.0');
    assert.deepEqual(r.answers, [{ status: 'result', result: 'Notice: Device version: 1.0', final: true }]);
  });

  it('reads the state field into flags: ignition, panic, blocked, door...', () => {
    const [m] = createSession().push(
      ascii('(088047365460BR00151024A2555.3531S02855.3329E004.7055148276.17012B802AL00009AA3)'),
    ).messages;
    // 0 1 2 B 8 02A: charging, ignition, panic; blocked/output2/input2/hs...: B = 1011 -> hs3, hs2, door; 8 -> ls1
    assert.equal(m.status, 0x012b802a);
    assert.equal(m.attributes.fuel, 0x02a);
    assert.equal(m.attributes.door, true);
    const f = expandFlags(m).groups.status;
    const on = Object.keys(f).filter((k) => f[k]);
    assert.deepEqual(on.sort(), ['door', 'hs2', 'hs3', 'ignition', 'ls1', 'panic'].sort());
  });

  it('decodes BS51 battery registers big-endian (53.3 V, 0 A, 47.6 %)', () => {
    const [m] = createSession().push(vec(0)).messages;
    assert.equal(m.type, 'status');
    assert.equal(m.attributes.battery, 53.3);
    assert.equal(m.attributes.current, 0);
    assert.equal(m.attributes.batteryLevel, 47.6);
    assert.deepEqual([m.attributes.batteryCellMax, m.attributes.batteryCellMin], [3.816, 3.804]);
    assert.equal(m.attributes.batteryTemp1, 26);
    assert.equal(m.attributes.batteryTemp2, undefined, 'register 0x94 says one sensor');
  });

  it('a date the calendar does not have keeps the receive time, marks the fix invalid and says so', () => {
    const s = createSession({ now: () => NOW });
    const r = s.push(vec(29)); // date 000007
    assert.equal(r.messages[0].time, new Date(NOW).toISOString());
    assert.equal(r.messages[0].valid, false);
    assert.deepEqual(
      r.errors.map((e) => e.code),
      ['malformed'],
    );
    assert.match(r.errors[0].message, /date that does not exist/);
  });

  it('applies the server’s device clock offset, and says once when fixes look like local time', () => {
    const fix = '(088047365460BR00151024A2555.3531S02855.3329E004.7055148276.1701000000L00009AA3)';
    const utc = Date.UTC(2015, 9, 24, 5, 51, 48);
    const shifted = createSession({ timezoneOffset: 120 }).push(ascii(fix)).messages[0];
    assert.equal(shifted.time, new Date(utc - 120 * 60000).toISOString());
    // received 3 h (and 40 s) before the fix time it reports: a clock set to UTC+3
    const s = createSession({ now: () => utc - 3 * 3600000 - 40000 });
    const first = s.push(ascii(fix));
    assert.equal(first.messages[0].time, new Date(utc).toISOString(), 'the time is kept as sent');
    assert.equal(first.errors.length, 1);
    assert.equal(first.errors[0].code, 'suspect');
    assert.match(first.errors[0].message, /3 h ahead of UTC.*180 minutes/);
    assert.deepEqual(s.push(ascii(fix)).errors, [], 'once per connection');
    // a fix that is simply late is not local time
    assert.deepEqual(createSession({ now: () => utc + 7 * 60000 }).push(ascii(fix)).errors, []);
  });
});

describe('TK103 framing', () => {
  const frames = [vec(35), vec(34), vec(14), vec(44), vec(51), vec(2), vec(69)];
  const junk = ascii('garbage%@#*^$-+<>?$)))$$--');
  const stream = Buffer.concat([
    junk,
    frames[0],
    frames[1],
    ascii('\r\n'),
    ...frames.slice(2, 5),
    junk,
    ...frames.slice(5),
  ]);

  function expected() {
    const s = createSession({ protocol: 'tk103', now: () => NOW });
    return joined(frames.map((f) => s.push(f)));
  }

  it('splits merged frames and skips junk, with the same records and replies as one frame per chunk', () => {
    const want = expected();
    const s = createSession({ now: () => NOW });
    const got = joined([s.push(stream)]);
    assert.equal(s.protocol, 'tk103');
    assert.deepEqual(got.messages, want.messages);
    assert.deepEqual(got.replies, want.replies);
    assert.ok(got.errors.every((e) => e.code === 'unknown-protocol' || e.code === 'junk'));
    assertNoCodecException(s);
  });

  it('gives the same result byte by byte and at any split points', () => {
    const want = expected();
    const s = createSession({ now: () => NOW });
    const got = joined(pushBytewise(s, stream));
    assert.deepEqual(got.messages, want.messages);
    assert.deepEqual(got.replies, want.replies);
    fc.assert(
      fc.property(fc.array(fc.nat(stream.length), { maxLength: 20 }), (cuts) => {
        const t = createSession({ now: () => NOW });
        const results = pushAtCuts(t, stream, cuts);
        const r = joined(results);
        assert.deepEqual(r.replies, want.replies);
        assert.equal(r.messages.length, want.messages.length);
        assertNoCodecException(t, results);
      }),
      { seed: 1703, numRuns: 100 },
    );
  });

  it('keeps `)` and CR LF inside $...$ text; an unpaired $ holds the stream only up to 1024 bytes', () => {
    const [f5, f6] = V.frame.filter((f) => /#5|#6/.test(f.name)).map((f) => Buffer.from(f.stream, 'hex'));
    assert.equal(frameAll(codec, f5).frames.length, 2);
    // #6: the result text has one $: Traccar waits for 1024 bytes; so do we, then resynchronise at the `(` in it
    const s = createSession({ protocol: 'tk103', now: () => NOW });
    assert.equal(s.push(f6).messages.length, 0);
    const later = s.push(Buffer.concat([Buffer.alloc(1100, 0x20), vec(64)]));
    assert.deepEqual(
      later.messages.map((m) => m.type),
      ['status', 'status'],
      'the ZC20 inside the stalled text and the one after it',
    );
  });

  it('stays linear in the bytes whatever arrives: 64 KiB of repeated start markers', () => {
    assertLinear(codec, ['(', '(088047365460BR00', '(088047365460BR00$', '(x$(a', '$(', '(0$(0', '((($'], '()$aB0,', {
      seed: 42,
      slack: 2048,
    });
  });

  it('never throws on bad frames: each is an error record, the next good frame decodes', () => {
    const s = createSession({ protocol: 'tk103', now: () => NOW });
    const results = [];
    for (const bad of [
      '()',
      '(ABC)',
      '(088047365460BR00garbage)',
      '(088047365460BS50zz)',
      '(088047365460BS500102)',
      '(088047365460BZ00,a,b)',
      '(1,DW5B,x)',
      '(1,ZC20,1)',
      '(1,ZC03,nothing)',
      '(088047365460BR00991399A9999.9999N99999.9999E999.9999999999.9999999999L)',
      `(088047365460BR00${'9'.repeat(900)})`,
    ])
      results.push(s.push(ascii(bad)));
    assert.ok(
      results.every((r) => r.messages.every((m) => m.type)),
      'records are well-formed',
    );
    assert.ok(results.some((r) => r.errors.length));
    results.push(s.push(vec(34)));
    assert.equal(results.at(-1).messages[0].time, '2015-10-24T05:51:48.000Z');
    assertNoCodecException(s, results);
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const t = createSession({ protocol: 'tk103' });
        assertNoCodecException(t, [t.push(ascii(`(088047365460BR00${text})`)), t.push(ascii(`(1,ZC03,${text})`))]);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});

describe('TK103 commands', () => {
  const fixedUnit = () => {
    const s = createSession();
    s.push(vec(14));
    return s;
  };
  const commaUnit = () => {
    const s = createSession();
    s.push(vec(69));
    return s;
  };

  it('a fixed-form unit gets (<id><code>) frames, with nothing to wait for', () => {
    const s = fixedUnit();
    const stop = s.encodeCommand({ type: 'engineStop' });
    assert.equal(stop.frames[0].toString(), '(027044702512AV010)');
    assert.equal(stop.expectsAnswer, false);
    assert.equal(
      s.encodeCommand({ type: 'positionPeriodic', frequency: 60 }).frames[0].toString(),
      '(027044702512AR00003C0000)',
    );
    assert.equal(s.encodeCommand({ type: 'rebootDevice' }).frames[0].toString(), '(027044702512AT00)');
    // commands that exist only as SMS text go that way
    const sms = s.encodeCommand({ type: 'getDeviceStatus' });
    assert.equal(sms.frames[0].toString(), '[begin]sms2,*status*,[end]');
    assert.equal(sms.expectsAnswer, true);
  });

  it('a comma-form unit gets SMS text over GPRS, answered by ZC03; engine commands have no such form', () => {
    const s = commaUnit();
    const one = s.encodeCommand({ type: 'positionSingle' });
    assert.equal(one.frames[0].toString(), '[begin]sms2,*getposl*,[end]');
    assert.equal(one.expectsAnswer, true);
    assert.equal(
      s.encodeCommand({ type: 'sosNumber', phone: '+4915112345678' }).frames[0].toString(),
      '[begin]sms2,*master*123456*+4915112345678*,[end]',
    );
    assert.equal(
      s.encodeCommand({ type: 'setConnection', server: '203.0.113.10', port: 5023 }).frames[0].toString(),
      '[begin]sms2,*setip*203*0*113*10*5023*,[end]',
    );
    assert.throws(() => s.encodeCommand({ type: 'engineStop' }), /no SMS-text form/);
    assert.equal(
      s.encodeCommand({ type: 'engineStop', alternative: false }).frames[0].toString(),
      '(864555555555555AV010)',
    );
  });

  it('refuses what would break the frame or the SMS envelope, and bad parameters', () => {
    const s = fixedUnit();
    for (const text of ['AV01)', 'A(B', 'x$y', 'a\r\nb', '[end]'])
      assert.throws(() => s.encodeCommand({ type: 'custom', text }), /printable ASCII/);
    assert.throws(() => s.encodeCommand({ type: 'setConnection', server: 'trackers.example.com', port: 1 }), /IPv4/);
    assert.throws(() => s.encodeCommand({ type: 'positionPeriodic', interval: 70000 }), /65535/);
    assert.throws(() => s.encodeCommand({ type: 'positionPeriodic' }), /needs "interval"/);
  });
});
