'use strict';
// Watch codec: worked examples checked by hand, exact replies, alarms from the status word, voice and photos,
// split/merged chunks and junk, linear framing, bad input, commands and their answers.
const assert = require('node:assert/strict');
const fc = require('fast-check');
const { createSession, getCodec, expandFlags } = require('../../dist/index.js');
const { frameAll, assertLinear, assertNoCodecException, pushBytewise, pushAtCuts, joined } = require('../lib/framing');

const V = require('../fixtures/traccar/watch.json');
const decodeCase = (seq, group = 'testDecode') => V.decode.find((v) => v.seq === seq && v.group.endsWith(`.${group}`));
const text = (seq) => Buffer.from(decodeCase(seq).text, 'latin1');
const frameCase = (n) => Buffer.from(V.frame.find((f) => f.name.endsWith(`#${n}`)).stream, 'hex');
const jxtk = Buffer.from(decodeCase(7).hex, 'hex'); // six escaped voice chunks, as on the wire
const ascii = (s) => Buffer.from(s, 'latin1');
const codec = getCodec('watch');
const NOW = Date.UTC(2024, 0, 2, 3, 4, 5);

/** A frame as a watch sends it, with a correct length field. */
function frame(maker, id, content, index) {
  const len = Buffer.byteLength(content, 'latin1').toString(16).toUpperCase().padStart(4, '0');
  return ascii(`[${maker}*${id}*${index ? `${index}*` : ''}${len}*${content}]`);
}

describe('watch codec', () => {
  it('decodes the worked example UD (vector #38) field by field', () => {
    const s = createSession();
    const r = s.push(text(38));
    assert.equal(s.protocol, 'watch');
    const [m] = r.messages;
    assert.equal(m.deviceId, '8800000015');
    assert.equal(m.type, 'position');
    assert.equal(m.time, '2014-04-22T13:46:52.000Z');
    assert.deepEqual([m.valid, m.lat, m.lon], [true, 22.571707, 113.8613968]);
    assert.deepEqual([m.speed, m.course, m.altitude, m.satellites], [0.1, 0, 100, 7]);
    assert.deepEqual(m.attributes, { rssi: 60, batteryLevel: 90, steps: 1000 });
    assert.equal(m.status, 0);
    assert.deepEqual(m.alarms, []);
    assert.equal(m.network.cellTowers.length, 4);
    assert.deepEqual(m.network.cellTowers[0], { mcc: 460, mnc: 0, lac: 9360, cid: 4082, rssi: 131 });
    assert.deepEqual(r.replies, [], 'UD is not answered');
  });

  it('answers LK, AL (any AL type), TKQ, INIT with the received maker and index', () => {
    const s = createSession();
    assert.deepEqual(s.push(text(36)).replies.map(String), ['[SG*8800000015*0002*LK]']);
    const lk = s.push(text(37)); // LK,0,10,100
    assert.deepEqual(lk.replies.map(String), ['[3G*4700186508*0002*LK]']);
    assert.deepEqual(lk.messages[0].attributes, { steps: 0, batteryLevel: 100 });
    assert.deepEqual(s.push(text(13)).replies.map(String), ['[3G*358839237678820*0002*AL]']); // ALCUSTOMER1
    assert.deepEqual(s.push(text(6)).replies.map(String), ['[ZJ*689466020014198*0003*0002*AL]']); // index kept
    assert.deepEqual(s.push(text(34)).replies.map(String), ['[3G*8800000015*0003*TKQ]']);
    assert.deepEqual(s.push(frame('CS', '1234567890', 'TKQ2')).replies.map(String), ['[CS*1234567890*0004*TKQ2]']);
    assert.deepEqual(s.push(frame('CS', '1234567890', 'INIT,13800138000,1,1')).replies.map(String), [
      '[CS*1234567890*0006*INIT,1]',
    ]);
    // an AL whose fields cannot be read is still answered (the watch repeats an unanswered alarm)
    const broken = s.push(frame('SG', '9059011020', 'AL,garbage'));
    assert.deepEqual(broken.replies.map(String), ['[SG*9059011020*0002*AL]']);
    assert.equal(broken.errors[0].code, 'malformed');
  });

  it('names every alarm bit of the status word from the flags table; an AL without one is "general"', () => {
    const report = (type, status) =>
      createSession().push(
        frame(
          '3G',
          '8308373902',
          `${type},230817,095346,A,47.083950,N,15.4821850,E,7.60,273.8,0.0,4,15,44,0,0,${status},0,0`,
        ),
      ).messages[0];
    assert.deepEqual(report('AL', '00200010').alarms, ['fallDown']);
    assert.equal(report('AL', '00200010').attributes.motion, true);
    assert.deepEqual(report('AL', '00010000').alarms, ['sos']);
    assert.deepEqual(report('AL', '00100000').alarms, ['removing']);
    assert.deepEqual(report('AL', '00004000').alarms, ['powerCut']);
    assert.deepEqual(report('AL', '00000000').alarms, ['general']);
    assert.deepEqual(report('UD', '00000000').alarms, []);
    assert.deepEqual(report('UD', '0001').alarms, ['lowBattery'], 'old 4-digit words');
    const all = report('AL', '007F4007');
    assert.deepEqual(
      [...all.alarms].sort(),
      ['fallDown', 'geofenceEnter', 'geofenceExit', 'lowBattery', 'powerCut', 'removing', 'sos'].sort(),
    );
    const f = expandFlags(all);
    assert.equal(f.groups.alarms.sos, true);
    assert.equal(f.groups.status.motion, false);
  });

  it('coordinates: N/E keep the number’s sign, S/W force it negative; a missing letter is reported once', () => {
    const s = createSession();
    const [chile] = s.push(text(28)).messages; // -33.48,N,-70.76,E
    assert.deepEqual([chile.lat, chile.lon], [-33.480366, -70.7630692]);
    const [west] = s.push(text(33)).messages; // 38,N,-9,W
    assert.deepEqual([west.lat, west.lon], [38, -9]);
    const empty = s.push(text(32)); // 16.479064,S,68.119072,,
    assert.deepEqual([empty.messages[0].lat, empty.messages[0].lon], [-16.479064, 68.119072]);
    assert.deepEqual(
      empty.errors.map((e) => e.code),
      ['suspect'],
    );
    assert.deepEqual(s.push(text(32)).errors, [], 'once per connection');
  });

  it('health readings: heart rate, blood pressure, SpO2, body temperature', () => {
    const s = createSession();
    const one = (seq) => s.push(text(seq)).messages[0].attributes;
    assert.deepEqual(one(44), { heartRate: 71 });
    assert.deepEqual(one(19), { pressureHigh: 120, pressureLow: 79, heartRate: 73 });
    assert.deepEqual(one(1), { bloodOxygen: 98 });
    assert.deepEqual(one(9), { temp1: 35.29 });
    assert.deepEqual(one(5), { temp1: 36.5 });
    assert.deepEqual(s.push(frame('3G', '2104326058', 'btemp2,0,35.29')).messages, [], 'flag 0: no reading');
  });

  it('reassembles JXTK voice chunks, answering each, however the bytes arrive', () => {
    for (const split of [(s) => [s.push(jxtk)], (s) => pushBytewise(s, jxtk)]) {
      const s = createSession({ now: () => NOW });
      const r = joined(split(s));
      assert.deepEqual(
        r.replies,
        ['34', '35', '36', '37', '38', '39'].map((i) => `[ZJ*789468050042692*00${i}*0007*JXTKR,1]`),
      );
      assert.equal(r.messages.length, 1);
      const [m] = r.messages;
      assert.equal(m.type, 'media');
      assert.deepEqual([m.attributes.mediaType, m.attributes.mediaFormat], ['audio', 'amr']);
      assert.equal(m.attributes.mediaName, 'watch_7_20220526093954');
      assert.equal(m.attributes.media.length, 5312);
      assert.equal(m.attributes.media.toString('latin1', 0, 6), '#!AMR\n');
      assertNoCodecException(s);
    }
  });

  it('drops a voice message with a chunk missing, one too large, and one left unfinished', () => {
    const chunks = frameAll(codec, jxtk).frames;
    const gap = createSession({ now: () => NOW });
    const r = joined([gap.push(chunks[0]), gap.push(chunks[2]), ...chunks.slice(3).map((c) => gap.push(c))]);
    assert.equal(r.messages.length, 0);
    assert.equal(r.replies.length, 5, 'every chunk is still answered');
    assert.match(r.errors[0].message, /out of order/);

    const big = createSession({ now: () => NOW });
    const chunk = (k) => frame('SG', '8800000015', `JXTK,0,big,${k},600,${'x'.repeat(1024)}`);
    const results = [];
    for (let k = 1; k <= 600; k++) results.push(big.push(chunk(k)));
    const all = joined(results);
    assert.equal(all.messages.length, 0);
    assert.ok(all.errors.some((e) => e.code === 'oversize'));

    let now = NOW;
    const slow = createSession({ now: () => now });
    slow.push(chunks[0]);
    now += 60000;
    assert.deepEqual(slow.poll().errors, []);
    now += 90000;
    assert.match(slow.poll().errors[0].message, /never came/);
  });

  it('a one-frame voice message (TK) is unescaped; TK,1 answers a voice message we sent', () => {
    const r = createSession().push(frameCase(6));
    assert.equal(r.messages[0].type, 'media');
    assert.deepEqual(r.messages[0].attributes.media, Buffer.from('#!AMR}[],*\xff', 'latin1'));
    const ack = createSession().push(frame('SG', '8800000015', 'TK,1'));
    assert.deepEqual(ack.messages, []);
    assert.deepEqual(ack.answers, [{ reference: 'type:TK', status: 'result', result: '1', final: true }]);
  });

  it('a photo (img) comes out as a JPEG; an SSID holding a raw } stays text', () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0x2c, 0x5d, 0xd9]);
    const escaped = Buffer.from([0xff, 0xd8, 0xff, 0x7d, 0x04, 0x7d, 0x03, 0xd9]);
    const content = Buffer.concat([ascii('img,5,230817095346,'), escaped]);
    const img = Buffer.concat([
      ascii(`[SG*8800000015*${content.length.toString(16).padStart(4, '0')}*`),
      content,
      ascii(']'),
    ]);
    const [m] = createSession().push(img).messages;
    assert.deepEqual([m.type, m.attributes.mediaType, m.attributes.mediaFormat], ['media', 'image', 'jpeg']);
    assert.deepEqual(m.attributes.media, jpeg);
    const ssid = createSession().push(
      frame(
        '3G',
        '2104326058',
        'UD,300621,135101,A,32.1,N,34.8,E,0,0,0,9,100,83,0,0,00000000,0,1,1,my}net,22:74:1d:39:64:ff,-46',
      ),
    );
    assert.deepEqual(ssid.messages[0].network.wifiAccessPoints, [{ mac: '22:74:1d:39:64:ff', rssi: -46 }]);
  });
});

describe('watch framing', () => {
  const frames = [text(36), text(38), frameCase(1), text(34), text(6), text(19)];
  // junk that looks like a request line but is not one (a real one would open an HTTP connection)
  const junk = ascii('GXT / HTTQ/1.1\r\n[[]]*[SG*]');
  const stream = Buffer.concat([junk, frames[0], frames[1], frames[2], junk, ...frames.slice(3), jxtk]);
  const want = () => {
    const s = createSession({ protocol: 'watch', now: () => NOW });
    return joined([...frames, ...frameAll(codec, jxtk).frames].map((f) => s.push(f)));
  };

  it('other protocols that start with "[" are not taken for a watch', () => {
    for (const other of [
      '[\x80000000000012345]',
      '[M869867039550712,20200102,A]',
      '[#M2C,2020,P1.B1.H1.F1.R1,101,10,867035040101573,1]',
      '[2020-10-25 20:44:08,T8,1,V,0,0,0,0]',
      '[7061,3041,57,20324277,710,40618,1]',
    ]) {
      const s = createSession();
      s.push(ascii(other));
      assert.equal(s.protocol, undefined, other);
    }
  });

  it('frame #1: a Wi-Fi name with raw brackets stays inside its frame', () => {
    const { frames: got } = frameAll(codec, frameCase(1));
    assert.equal(got.length, 1);
    assert.match(got[0].toString('latin1'), /\[LG_Wall-Mount A\/C\]e725/);
  });

  it('splits merged frames and skips junk, the same whole, byte by byte and at any split points', () => {
    const expected = want();
    assert.equal(expected.messages.length, 6);
    for (const run of [(s) => [s.push(stream)], (s) => pushBytewise(s, stream)]) {
      const s = createSession({ now: () => NOW });
      const got = joined(run(s));
      assert.equal(s.protocol, 'watch');
      assert.deepEqual(got.messages, expected.messages);
      assert.deepEqual(got.replies, expected.replies);
      assertNoCodecException(s);
    }
    fc.assert(
      fc.property(fc.array(fc.nat(stream.length), { maxLength: 20 }), (cuts) => {
        const t = createSession({ now: () => NOW });
        const results = pushAtCuts(t, stream, cuts);
        const r = joined(results);
        assert.deepEqual(r.replies, expected.replies);
        assert.equal(r.messages.length, expected.messages.length);
      }),
      { seed: 1705, numRuns: 60 },
    );
  });

  it('a frame cut short by the next frame is dropped; the next one decodes', () => {
    const cut = Buffer.concat([ascii('[SG*8800000015*0087*UD,220414,134652,A,22.57'), text(36)]);
    const s = createSession();
    const r = s.push(cut);
    assert.deepEqual(r.replies.map(String), ['[SG*8800000015*0002*LK]']);
  });

  it('stays linear in the bytes whatever arrives: 64 KiB of repeated start markers', () => {
    assertLinear(
      codec,
      ['[', '[SG*1*', '[SG*1*[', '[SG*88*0002*LK', ']', '[[]', '[SG*12345678901234567890'],
      '[]*SG10,',
      { seed: 43 },
    );
  });

  it('never throws on bad frames: each is an error record or a result, the next good frame decodes', () => {
    const s = createSession({ protocol: 'watch', now: () => NOW });
    const results = [];
    for (const bad of [
      '[SG*1*0000*]',
      '[SG*1*zzzz*LK]',
      '[SG*1*0002*UD]',
      '[SG*1*0002*UD,,,,,,,,,,,,,,,,,,]',
      '[SG*1*0002*UD,220414,134652,A,x,N,y,E,0,0,0,0,0,0,0,0,00000000,99999,1,,,]',
      '[SG*1*0002*JXTK,0,a,b,c,d]',
      '[SG*1*0002*JXTK]',
      '[SG*1*0002*img]',
      '[SG*1*0002*heart]',
      '[SG*1*0002*TK]',
    ])
      results.push(s.push(ascii(bad)));
    results.push(s.push(text(38)));
    assert.equal(results.at(-1).messages[0].time, '2014-04-22T13:46:52.000Z');
    assertNoCodecException(s, results);
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom('UD', 'AL', 'LK', 'JXTK', 'img', 'TK', 'x'),
        (bytes, type) => {
          const t = createSession({ protocol: 'watch' });
          const body = Buffer.concat([
            ascii(`${type},`),
            Buffer.from(bytes).map((b) => (b === 0x5b || b === 0x5d ? 0x20 : b)),
          ]);
          const f = Buffer.concat([ascii('[SG*8800000015*0001*'), body, ascii(']')]);
          assertNoCodecException(t, [t.push(f)]);
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });
});

describe('watch commands', () => {
  const on = (first) => {
    const s = createSession();
    s.push(first);
    return s;
  };

  it('go out with the watch’s maker (3G as SG) and index, and its answer of the same type finds them', () => {
    const s = on(text(37)); // 3G watch
    const sos = s.encodeCommand({ type: 'sosNumber', index: 2, phone: '123456789' });
    assert.equal(sos.frames[0].toString(), '[SG*4700186508*000e*SOS2,123456789]');
    assert.equal(sos.reference, 'type:SOS2');
    const answer = s.push(ascii('[3G*4700186508*0004*SOS2]'));
    assert.deepEqual(answer.answers, [{ reference: 'type:SOS2', status: 'result', result: 'SOS2', final: true }]);
    assert.equal(answer.messages[0].type, 'result');
    const zj = on(text(6));
    assert.equal(
      zj.encodeCommand({ type: 'positionSingle' }).frames[0].toString(),
      '[ZJ*689466020014198*0001*0002*CR]',
    );
    assert.equal(zj.encodeCommand({ type: 'positionPeriodic', interval: 300 }).reference, 'type:UPLOAD');
  });

  it('time zones as the watch wants them: standard offset in hours, from minutes, zone names or GMT±h:mm', () => {
    const s = on(text(36));
    const lz = (c) => s.encodeCommand({ type: 'setTimezone', ...c }).frames[0].toString();
    assert.equal(lz({ timezone: 'Europe/Berlin' }), '[SG*8800000015*0006*LZ,,+1]');
    assert.equal(lz({ timezone: 'Asia/Kolkata', language: 1 }), '[SG*8800000015*0009*LZ,1,+5.5]');
    assert.equal(lz({ timezone: 'America/New_York' }), '[SG*8800000015*0006*LZ,,-5]');
    assert.equal(lz({ timezone: 'Australia/Sydney' }), '[SG*8800000015*0007*LZ,,+10]');
    assert.equal(lz({ offset: 345 }), '[SG*8800000015*0009*LZ,,+5.75]');
    assert.equal(lz({ timezone: 'UTC' }), '[SG*8800000015*0006*LZ,,+0]');
    assert.throws(() => lz({ timezone: 'Mars/Olympus' }), /timezone/);
  });

  it('voice messages are escaped and counted escaped; text goes as UTF-16BE hex; brackets are refused', () => {
    const s = on(text(36));
    const voice = s.encodeCommand({ type: 'voiceMessage', audio: '2321414d520a7d5b5d2c2a' });
    assert.deepEqual(
      voice.frames[0],
      Buffer.concat([ascii('[SG*8800000015*0013*TK,#!AMR\n'), Buffer.from('7d017d027d037d047d05', 'hex'), ascii(']')]),
    );
    assert.equal(voice.reference, 'type:TK');
    assert.equal(
      s.encodeCommand({ type: 'message', message: 'Hi Ö' }).frames[0].toString(),
      '[SG*8800000015*0018*MESSAGE,00480069002000d6]',
    );
    assert.throws(() => s.encodeCommand({ type: 'custom', text: 'A]B' }), /without \[ \]/);
    assert.throws(() => s.encodeCommand({ type: 'sosNumber', phone: '1\r\n2' }), /printable/);
    assert.throws(() => s.encodeCommand({ type: 'sosNumber', index: 4, phone: '1' }), /1 to 3/);
  });
});
