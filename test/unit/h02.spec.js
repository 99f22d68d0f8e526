'use strict';
// H02 codec: hand-checked values, exact replies, framing of mixed text and binary streams (split, merged, junk),
// the `$` rule against JT600, the device clock setting, commands and their answers, bad input.
const assert = require('node:assert/strict');
const { createSession, getCodec, expandFlags } = require('../../dist/index.js');
const H = require('../lib/h02');
const { linearity } = require('../lib/linear');
const { pushAll } = require('../lib/push');
const { makeConnection, emptyOutput } = require('../lib/vectors');

const H02 = require('../fixtures/traccar/h02.json');
const J600 = require('../fixtures/traccar/jt600.json');
const vec = (V, seq) => Buffer.from(V.decode.find((v) => v.seq === seq).hex, 'hex');
const ascii = (s) => Buffer.from(s, 'latin1');
const NOW = Date.UTC(2024, 0, 2, 3, 4, 5);
const session = (options = {}) => createSession({ protocol: 'h02', now: () => NOW, ...options });
const near = (a, b) => Math.abs(a - b) < 1e-5;

describe('H02 codec', () => {
  it('decodes the worked binary example (vector #77) and acknowledges it with R12', () => {
    const s = createSession({ now: () => NOW });
    const r = s.push(vec(H02, 77));
    assert.equal(s.protocol, 'h02');
    const [m] = r.messages;
    assert.equal(m.deviceId, '4106000826');
    assert.equal(m.time, '2015-08-31T21:53:21.000Z');
    assert.ok(near(m.lat, 4 + 41.939 / 60), `${m.lat}`);
    assert.ok(near(m.lon, -(74 + 4.183 / 60)), `${m.lon}`);
    assert.deepEqual([m.valid, m.speed, m.course, m.attributes.batteryLevel], [true, 0, 0, 100]);
    // FFFFFBFD: bit 1 at 0 is SOS, bit 10 at 0 is ignition off
    assert.deepEqual([m.alarms, m.ignition, m.status, m.attributes.status], [['sos'], false, 0xfffffbfd, 0xfffffbfd]);
    assert.equal(m.network, undefined, 'MCC 732 with cell ID 0 is no cell');
    assert.deepEqual(r.replies.map(String), ['*HQ,4106000826,R12,030405#']);
  });

  it('decodes a V1 text report (vector #49), answering *HQ,<id>,V4,V1,<yyyyMMddHHmmss>#', () => {
    const r = session().push(vec(H02, 49));
    const [m] = r.messages;
    assert.equal(m.time, '2015-12-22T16:45:49.000Z');
    assert.ok(near(m.lat, 9.93978) && near(m.lon, -84.11178));
    assert.deepEqual([m.valid, m.speed, m.course, m.ignition], [true, 0, 0, false]);
    assert.equal(m.attributes.data, '712,01,0,0,6', 'MCC/MNC/LAC/CID in an unknown base stay text');
    assert.deepEqual(r.replies.map(String), ['*HQ,4210051415,V4,V1,20240102030405#']);
  });

  it('converts knots to km/h and reads every coordinate form', () => {
    const cases = [
      ['2235.1777,N,11357.8913,E', 22 + 35.1777 / 60, 113 + 57.8913 / 60],
      ['-23-29.0095,S,-46-51.5852,W', -(23 + 29.0095 / 60), -(46 + 51.5852 / 60)],
      ['37573392,S,145037022,E', -(37 + 57.3392 / 60), 145 + 3.7022 / 60],
      ['3542.2043,N,38.6508,W', 35 + 42.2043 / 60, -38.6508 / 60],
      ['701.8915,S,3450.3399,W', -(7 + 1.8915 / 60), -(34 + 50.3399 / 60)],
    ];
    for (const [position, lat, lon] of cases) {
      const r = session().push(ascii(`*HQ,4210051415,V1,164549,A,${position},10.00,90,221215,FFFFFBFF#`));
      const [m] = r.messages;
      assert.ok(near(m.lat, lat) && near(m.lon, lon), `${position}: ${m.lat},${m.lon}`);
      assert.equal(m.speed, 18.52);
    }
  });

  it('a report without a fix gives nothing, unless its status word carries an alarm', () => {
    for (const position of ['V,,N,,E', 'V,0.0000,0,0.0000,0', 'V,9999.9999,N,99999.9999,E']) {
      const quiet = session().push(ascii(`*HQ,4210051415,V1,164549,${position},0.00,0,221215,FFFFFBFF#`));
      assert.deepEqual(quiet.messages, [], position);
      assert.equal(quiet.replies.length, 1, 'the V1 is still answered');
      const sos = session().push(ascii(`*HQ,4210051415,V1,164549,${position},0.00,0,221215,FFFFFBFD#`));
      assert.deepEqual(
        sos.messages.map((m) => [m.type, m.alarms, m.lat]),
        [['alarm', ['sos'], undefined]],
        position,
      );
    }
  });

  it('names status alarms from the flag table, and tracker-flags reads the same word', () => {
    const cases = [
      [0xfffffffe, ['vibration']],
      [0xfffbffff, ['sos']],
      [0xfff7fbff, ['powerCut']],
      [0xfffffffb, ['overspeed']],
      [0xffffffff, []],
      [0xfffffbfa, ['vibration', 'overspeed']],
    ];
    for (const [word, alarms] of cases) {
      const [m] = session().push(H.binary({ status: word })).messages;
      assert.deepEqual([...m.alarms].sort(), [...alarms].sort(), word.toString(16));
      assert.equal(m.ignition, ((word >>> 10) & 1) === 1);
      const f = expandFlags(m);
      assert.deepEqual(
        Object.keys(f.groups.alarms)
          .filter((k) => f.groups.alarms[k])
          .sort(),
        [...alarms].sort(),
      );
      assert.equal(f.groups.status.acc, m.ignition);
    }
  });

  it('binary tails: the cell of 45-byte frames, odometer, fuel, altitude and cell of 46-byte ones', () => {
    const [cell] = session().push(vec(H02, 81)).messages;
    assert.deepEqual(cell.network.cellTowers, [{ mcc: 262, mnc: 2, lac: 0x0299, cid: 0x109c }]);
    const [six] = session().push(vec(H02, 29)).messages;
    assert.deepEqual(
      [six.attributes.odometer, six.attributes.fuel, six.altitude, six.network.cellTowers[0]],
      [69129344, 100, 17, { mcc: 0, mnc: 0, lac: 0x5141, cid: 0x5a20 }],
    );
    const [long] = session().push(vec(H02, 11)).messages;
    assert.equal(long.deviceId, '352483084193293', 'the 8-byte ID of 42-byte frames gives its first 15 digits');
  });

  it('battery codes: steps, percentages, charging', () => {
    for (const [code, level, charge] of [
      [0, undefined, undefined],
      [2, 10, undefined],
      [4, 60, undefined],
      [6, 100, undefined],
      [55, 55, undefined],
      [0xf3, 20, true],
      [0xc8, undefined, undefined],
    ]) {
      const [m] = session().push(H.binary({ battery: code })).messages;
      assert.deepEqual([m.attributes.batteryLevel, m.attributes.charge], [level, charge], `code ${code}`);
    }
  });

  it('heartbeats are echoed up to their type; NBR is answered, LINK and V3 are not', () => {
    const s = session();
    assert.deepEqual(s.push(ascii('*HQ,135790246811220,HTBT#')).replies.map(String), ['*HQ,135790246811220,HTBT#']);
    const battery = s.push(ascii('*HQ,135790246811220,HTBT,77#'));
    assert.deepEqual(battery.replies.map(String), ['*HQ,135790246811220,HTBT#']);
    assert.deepEqual([battery.messages[0].type, battery.messages[0].attributes.batteryLevel], ['heartbeat', 77]);
    assert.deepEqual(s.push(ascii('*HQ,4106011660,V0#')).replies.map(String), ['*HQ,4106011660,V0#']);
    const nbr = s.push(vec(H02, 38));
    assert.deepEqual(nbr.replies.map(String), ['*HQ,7401004662,V4,NBR,20240102030405#']);
    assert.equal(nbr.messages[0].time, '2019-10-29T16:04:53.000Z');
    assert.deepEqual(nbr.messages[0].network.cellTowers[0], { mcc: 234, mnc: 10, lac: 21580, cid: 27766, rssi: -67 });
    const link = s.push(vec(H02, 45));
    assert.deepEqual(link.replies, []);
    const a = link.messages[0].attributes;
    assert.deepEqual([a.rssi, link.messages[0].satellites, a.batteryLevel, a.steps], [20, 8, 67, 0]);
    const v3 = s.push(vec(H02, 26));
    assert.equal(v3.messages[0].network.cellTowers.length, 4);
    assert.deepEqual(v3.messages[0].network.cellTowers[1], { mcc: 740, mnc: 1, lac: 10278, cid: 26311 });
  });

  it('an empty ID means the device the connection knows; unknown types are reported, not decoded', () => {
    const s = session();
    const first = s.push(ascii('*HQ,,V1,173212,A,2225.78879,S,02829.19021,E,0.00,0,290418,FFFFFBFF#'));
    assert.deepEqual([first.messages, first.errors.map((e) => e.code)], [[], ['not-identified']]);
    s.push(vec(H02, 13));
    const [m] = s.push(ascii('*HQ,,V1,173212,A,2225.78879,S,02829.19021,E,0.00,0,290418,FFFFFBFF#')).messages;
    assert.equal(m.deviceId, '353505221264507');
    for (const seq of [20, 41, 75, 23]) {
      const r = s.push(vec(H02, seq));
      assert.deepEqual([r.messages, r.errors.map((e) => e.code)], [[], ['unknown-type']], `#${seq}`);
    }
  });

  it('VP1 fixes without a time of day get the receive time when dated today, else midnight of their date', () => {
    const today = session().push(ascii('*hq,356327080425330,VP1,A,2702.7245,S,15251.9311,E,0.48,0.0000,020124#'));
    assert.equal(today.messages[0].time, '2024-01-02T03:04:05.000Z');
    const old = session().push(vec(H02, 17));
    assert.equal(old.messages[0].time, '2017-09-08T00:00:00.000Z');
  });

  it('fix times more than 25 h ahead of the clock are not believed', () => {
    const future = Date.UTC(2024, 0, 4, 3, 4, 5);
    const [m] = session().push(H.binary({ time: future })).messages;
    assert.equal(m.time, '2024-01-02T03:04:05.000Z');
    assert.equal(m.attributes.deviceTime, '2024-01-04T03:04:05.000Z');
    const [ok] = session().push(H.binary({ time: Date.UTC(2024, 0, 3, 3, 4, 5) })).messages;
    assert.equal(ok.time, '2024-01-03T03:04:05.000Z', 'within 25 h');
  });

  it('reads the device clock with the server setting (timezoneOffset) when the device runs on local time', () => {
    // a device set to UTC+3 reports 06:04:05 for 03:04:05 UTC
    const local = Date.UTC(2024, 0, 2, 6, 4, 5);
    const s = session({ timezoneOffset: 180 });
    const [bin] = s.push(H.binary({ time: local })).messages;
    assert.equal(bin.time, '2024-01-02T03:04:05.000Z');
    const [text] = s.push(
      ascii('*HQ,4106011660,V1,060405,A,5230.0000,N,01324.0000,E,0.00,0,020124,FFFFFBFF#'),
    ).messages;
    assert.equal(text.time, '2024-01-02T03:04:05.000Z');
    // replies carry the server's UTC time; commands the device clock's
    assert.match(String(s.push(H.binary({ time: local })).replies[0]), /,R12,030405#$/);
    assert.equal(String(s.encodeCommand({ type: 'engineStop' }).frames[0]), '*HQ,4106011660,S20,060405,1,1#');
  });
});

describe('H02 framing', () => {
  const ID = '4106011660';
  const t0 = Date.UTC(2024, 0, 2, 3, 0, 0);
  const frames = [
    H.text(ID, 'V1', '030000', 'A', '5230.0000', 'N', '01324.0000', 'E', '0.00', '0', '020124', 'FFFFFBFF'),
    ascii('\r\n'),
    H.binary({ id: ID, time: t0 + 1000 }),
    H.binary({
      id: ID,
      time: t0 + 2000,
      size: 45,
      tail: Buffer.from('ff001506000000000106020299109c01', 'hex'),
    }),
    H.text(ID, 'NBR', '030003', '262', '2', '0', '1', '431', '17003', '26', '020124', 'FFFFFBFF'),
    ascii(' \r\n'),
    H.binary({ id: ID, time: t0 + 4000, size: 46 }),
    H.binary({ id: ID, time: t0 + 5000, size: 48 }),
    H.binary({ id: '0000981499', time: t0 + 5500, marker: 0x58 }), // an X block: framed, not decoded
    ascii(`*HQ,${ID},SMS,line one\nline, two#`),
    H.binary({ id: ID, time: t0 + 6000 }),
  ];
  const stream = Buffer.concat(frames);
  const summary = (out) => out.messages.map((m) => `${m.type}@${m.time}`);

  it('cuts a mixed stream merged in one chunk, as each frame alone', () => {
    const alone = pushAll(session(), frames);
    const merged = pushAll(session(), [stream]);
    assert.equal(alone.messages.length, 8);
    assert.deepEqual(summary(merged), summary(alone));
    assert.deepEqual(merged.replies.map(String), alone.replies.map(String));
    assert.deepEqual(merged.errors, []);
    assert.equal(merged.messages[6].attributes.result, 'line one\nline, two');
  });

  it('cuts it the same way split at any byte (but where a longer binary frame could end)', () => {
    const whole = summary(pushAll(session(), [stream]));
    // A cut that leaves exactly 32, 42, 45, 46 or 47 bytes of a longer binary frame looks like a whole frame:
    // devices write each frame at once, so such a cut does not happen on the wire.
    const ambiguous = new Set();
    let at = 0;
    for (const f of frames) {
      if (f[0] === 0x24) for (const n of [32, 42, 45, 46, 47]) if (n < f.length) ambiguous.add(at + n);
      at += f.length;
    }
    for (let cut = 1; cut < stream.length; cut++) {
      if (ambiguous.has(cut)) continue;
      const out = pushAll(session(), [stream.subarray(0, cut), stream.subarray(cut)]);
      assert.deepEqual(summary(out), whole, `cut at ${cut}`);
      assert.deepEqual(out.errors, [], `cut at ${cut}`);
    }
  });

  it('skips junk between frames and resynchronises on the next one', () => {
    const junk = ascii('GET / HTTP/1.1\r\n\x00\x01$9*H#');
    const out = pushAll(session(), [frames[2], junk, frames[3], junk, frames[0], junk, frames[10]]);
    assert.deepEqual(summary(out), summary(pushAll(session(), [frames[2], frames[3], frames[0], frames[10]])));
    assert.ok(out.errors.every((e) => e.code === 'junk'));
  });

  it('a text message cut short by the next one, or by binary bytes, is junk', () => {
    const out = pushAll(session(), [ascii('*HQ,4106011660,V1,0300'), frames[0], ascii('*HQ,41'), frames[2]]);
    assert.equal(out.messages.length, 2);
    assert.deepEqual(
      out.errors.map((e) => e.code),
      ['junk', 'junk'],
    );
  });

  it('framing work grows linearly with runs of start markers (64 KiB)', () => {
    const codec = getCodec('h02');
    for (const unit of ['*', '*HQ,', '$', 'X', '#', '*HQ,4106011660,V1,', frames[2].subarray(0, 31)]) {
      const { perByte, growth } = linearity(codec, unit);
      assert.ok(perByte < 64 && growth < 2.1, `${JSON.stringify(String(unit))}: ${perByte} reads/byte, x${growth}`);
    }
    const s = session({ maxBufferBytes: 4096 });
    const out = pushAll(s, [Buffer.alloc(65536, '*HQ,'), Buffer.alloc(65536, '$'), frames[2]]);
    assert.equal(out.messages.length, 1);
    assert.ok(s.bufferedBytes <= 4096);
  });
});

describe('H02 and JT600 share `$` + BCD ID: the first frame is checked against both layouts', () => {
  const firstOf = (bytes) => {
    const s = createSession();
    s.push(bytes);
    return s.protocol;
  };

  it('every H02 binary vector (decode and frame cases) is H02, every JT600 binary vector JT600', () => {
    const wrong = [];
    for (const v of H02.decode.filter((d) => d.hex.startsWith('24'))) {
      const p = firstOf(Buffer.from(v.hex, 'hex'));
      if (p !== 'h02') wrong.push(`h02 #${v.seq} -> ${p}`);
    }
    for (const f of H02.frame.filter((d) => d.stream.startsWith('24'))) {
      const p = firstOf(Buffer.from(f.stream, 'hex'));
      if (p !== 'h02') wrong.push(`h02 ${f.name} -> ${p}`);
    }
    let jt600 = 0;
    for (const hex of [...J600.decode.map((d) => d.hex), ...J600.frame.map((f) => f.stream)]) {
      if (!hex.startsWith('24')) continue;
      jt600++;
      const p = firstOf(Buffer.from(hex, 'hex'));
      if (p !== 'jt600') wrong.push(`jt600 ${hex.slice(0, 24)} -> ${p}`);
    }
    assert.ok(jt600 >= 26, `${jt600} JT600 binary vectors`);
    assert.deepEqual(wrong, []);
  });

  it('each layout alone: the detect functions of both codecs agree on every vector', () => {
    const [h02, jt600] = [getCodec('h02'), getCodec('jt600')];
    const all = [...H02.decode, ...J600.decode].filter((d) => d.hex.startsWith('24'));
    for (const v of all) {
      const b = Buffer.from(v.hex, 'hex');
      const answers = [h02.detect(b, 0, b.length), jt600.detect(b, 0, b.length)];
      assert.equal(answers.filter((a) => a === 1).length, 1, `${v.hex.slice(0, 24)}: ${answers}`);
    }
  });

  it('a frame that reads as both is settled by the frame after it, then by the time nearer the clock', () => {
    // H02 at 15:00:36 on day 23: the JT600 reading has version 1, length 0x0036 = 54 (two records), and its
    // first location block (23 01 24 | 22 35 17) is a valid date and time
    const ambiguous = H.binary({ time: Date.UTC(2024, 0, 23, 15, 0, 36), lat: 22 + 35.1777 / 60, lon: 113.9 });
    const [h02, jt600] = [getCodec('h02'), getCodec('jt600')];
    assert.deepEqual([h02.detect(ambiguous, 0, 32), jt600.detect(ambiguous, 0, 32)], [2, 2], 'both wait');
    const two = Buffer.concat([ambiguous, H.binary({ time: Date.UTC(2024, 0, 23, 15, 1, 6) })]);
    assert.equal(firstOf(two), 'h02', 'the same device again 32 bytes on');
    // 64 bytes that are one JT600 frame followed by a JT600 text sentence
    const asJt600 = Buffer.concat([ambiguous, Buffer.alloc(32, 0x30), ascii('(4106011660,@JT)')]);
    assert.equal(firstOf(asJt600), 'jt600');
  });
});

describe('H02 commands', () => {
  const conn = () => {
    const c = makeConnection(getCodec('h02'), {}, Date.UTC(2024, 0, 2, 1, 2, 3));
    c.deviceId = '123456789012345';
    return c;
  };
  const encode = (command) => String(getCodec('h02').encodeCommand(command, conn()).frames[0]);

  it('encodes every declared command with the send time', () => {
    assert.equal(encode({ type: 'engineStop' }), '*HQ,123456789012345,S20,010203,1,1#');
    assert.equal(encode({ type: 'engineResume' }), '*HQ,123456789012345,S20,010203,1,0#');
    assert.equal(encode({ type: 'alarmArm' }), '*HQ,123456789012345,SCF,010203,0,0#');
    assert.equal(encode({ type: 'alarmDisarm' }), '*HQ,123456789012345,SCF,010203,1,1#');
    assert.equal(encode({ type: 'positionPeriodic', interval: 30 }), '*HQ,123456789012345,S71,010203,22,30#');
    assert.equal(
      encode({ type: 'positionPeriodic', interval: 30, alternative: true }),
      '*HQ,123456789012345,D1,010203,30#',
    );
    assert.equal(encode({ type: 'custom', text: 'CXZT\\r\\n' }), 'CXZT\r\n');
    assert.throws(() => encode({ type: 'custom', text: 'A\u0000' }), /printable/);
  });

  it('a V4 answer finds its command by the echoed code (session and declared validation)', () => {
    const s = session();
    s.push(vec(H02, 76));
    const stop = s.encodeCommand({ type: 'engineStop' });
    const periodic = s.encodeCommand({ type: 'positionPeriodic', frequency: 60 });
    assert.deepEqual([stop.reference, periodic.reference, stop.expectsAnswer], ['code:S20', 'code:S71', true]);
    assert.equal(String(periodic.frames[0]), '*HQ,4106011660,S71,030405,22,60#');
    const r = s.push(
      ascii('*HQ,4106011660,V4,S20,DONE,030405,030410,A,5230.0000,N,01324.0000,E,0.00,0,020124,F7FFFBFF#'),
    );
    assert.deepEqual(r.answers, [{ status: 'result', result: 'S20,DONE,030405', final: true, reference: 'code:S20' }]);
    assert.equal(r.messages[0].attributes.result, 'S20,DONE,030405');
    // a bare acknowledgement (no position) is an answer too
    const bare = s.push(ascii('*HQ,4106011660,V4,S71,030405,22,60#'));
    assert.deepEqual(
      [bare.messages[0].type, bare.answers[0].reference, bare.answers[0].result],
      ['result', 'code:S71', 'S71,030405,22,60'],
    );
    assert.throws(() => s.encodeCommand({ type: 'reboot' }), /does not support/);
  });
});

describe('H02 bad input', () => {
  it('truncated frames at every cut and junk never throw or claim a device', () => {
    const codec = getCodec('h02');
    for (const seq of [77, 11, 29, 49, 34, 85, 62].filter((q) => H02.decode.some((d) => d.seq === q))) {
      const bytes = vec(H02, seq);
      for (let cut = 1; cut < bytes.length; cut++) {
        const c = makeConnection(codec);
        const out = emptyOutput();
        assert.doesNotThrow(() => codec.decode(bytes.subarray(0, cut), c, out));
        const s = session();
        pushAll(s, [bytes.subarray(0, cut), ascii('#$*')]);
      }
    }
    const bad = pushAll(session(), [ascii('*HQ,12AB,V1,030000,A,5230.0000,N,01324.0000,E,0,0,020124,FFFFFFFF#')]);
    assert.deepEqual(
      bad.errors.map((e) => e.code),
      ['malformed'],
    );
    assert.deepEqual(bad.replies, [], 'no reply to a device ID that is not digits');
  });
});
