'use strict';
// Property-based tests (fast-check, fixed seed): whatever bytes arrive, split anywhere, no codec throws, none
// holds more than the buffer cap, and each resynchronises so the next valid frame decodes. Every encoder's
// output reads back, with readers written here, to the fields it was given.
// PROPERTY_RUNS raises the number of runs (the soak script runs many more).
const assert = require('node:assert/strict');
const fc = require('fast-check');
const { createSession, getCodec } = require('../../dist/index.js');
const { crc16, crc16ibm } = require('../lib/crc');
const T = require('../lib/teltonika');
const J = require('../lib/jt808');
const F = require('../fixtures/gt06-frames');
const { assertNoCodecException } = require('../lib/framing');

const RUNS = Number(process.env.PROPERTY_RUNS || 150);
const SETTINGS = { seed: 20261122, numRuns: RUNS };
const CAP = 4096;

const J600 = require('../fixtures/traccar/jt600.json');
const V600 = require('../fixtures/traccar/vt600.json');
const H02 = require('../fixtures/traccar/h02.json');
const TK103 = require('../fixtures/traccar/tk103.json');
const hex = (s) => Buffer.from(s, 'hex');
const ascii = (s) => Buffer.from(s, 'latin1');

/** Per protocol: a frame that identifies the device, and a valid frame whose record must come out. */
const PROTOCOLS = {
  gt06: { hello: hex(F.LOGIN), valid: hex(F.HEARTBEAT), type: 'heartbeat' },
  jt808: { hello: J.frame({ msgId: 0x0002 }), valid: J.frame({ msgId: 0x0003, serial: 9 }), type: 'logout' },
  jt600: {
    hello: Buffer.from(J600.decode.find((v) => v.seq === 30).hex, 'hex'),
    valid: Buffer.from('(3110216001,@JT)'),
    type: 'heartbeat',
  },
  vt600: {
    hello: Buffer.from(V600.decode.find((v) => v.seq === 2).hex, 'hex'),
    valid: Buffer.from(V600.decode.find((v) => v.seq === 8).hex, 'hex'),
    type: 'result',
  },
  h02: {
    hello: hex(H02.decode.find((v) => v.seq === 76).hex),
    valid: ascii('*HQ,4106011660,V1,124552,A,5035.3129,N,00431.8211,E,000.20,000,131116,FFFFFBFF#'),
    type: 'position',
  },
  gps103: {
    hello: ascii('##,imei:359586015829802,A;'),
    valid: ascii('imei:359586015829802,tracker,1610101200,,F,100000.000,A,5230.0000,N,01324.0000,E,0.00,0;'),
    type: 'position',
  },
  tk103: {
    hello: Buffer.from(TK103.decode.find((v) => v.seq === 35).hex, 'hex'),
    valid: ascii('(027044702512BP00027044702512HSO01A4)'),
    type: 'heartbeat',
  },
  watch: {
    hello: ascii('[3G*4700186508*000B*LK,0,10,100]'),
    valid: ascii('[3G*4700186508*0002*LK]'),
    type: 'heartbeat',
  },
  teltonika: { hello: T.login(), valid: T.avl(), type: 'position' },
};

/** Bytes biased towards each protocol's markers, so that junk often looks like the start of a frame. */
const junkByte = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 255 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      0x78,
      0x79,
      0x7e,
      0x7d,
      0xe7,
      0x24,
      0x28,
      0x29,
      0x26,
      0x2c,
      0x0d,
      0x0a,
      0x00,
      0xff,
      0x2a, // H02 text, GPS103 alternative end
      0x23, // H02 end, GPS103 login
      0x3b, // GPS103 end
      0x58, // H02 X block
      0x69, // GPS103 `imei:`
      0x35, // a digit: GPS103 heartbeat
      0x5b, // watch `[` and `]`
      0x5d,
    ),
  },
);
const junk = fc.array(junkByte, { maxLength: 3000 }).map((a) => Buffer.from(a));
const cuts = fc.array(fc.nat(), { maxLength: 12 });

function pushInPieces(session, bytes, cutPoints) {
  const points = [...new Set(cutPoints.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let prev = 0;
  const out = [];
  for (const p of [...points, bytes.length]) {
    const r = session.push(bytes.subarray(prev, p));
    // the session turns a codec's exception into an error record: none may happen
    assertNoCodecException(session, [r]);
    out.push(r);
    prev = p;
    assert.ok(session.bufferedBytes <= CAP, `holds ${session.bufferedBytes} bytes`);
  }
  return out;
}

describe('property: any input, any split', () => {
  for (const [protocol, p] of Object.entries(PROTOCOLS)) {
    it(`${protocol}: never throws, stays under the cap, resynchronises on the next valid frame`, () => {
      const filler = Buffer.alloc(getCodec(protocol).maxFrameLength + 16, 0);
      fc.assert(
        fc.property(junk, cuts, (bytes, cutPoints) => {
          const s = createSession({ protocol, maxBufferBytes: CAP });
          s.push(p.hello);
          const outs = pushInPieces(s, bytes, cutPoints);
          outs.push(s.push(filler)); // completes or abandons whatever the junk left open
          const r = s.push(p.valid);
          // the session survives a decoder that throws: that must never have been needed
          assertNoCodecException(s, [...outs, r]);
          return r.messages.some((m) => m.type === p.type);
        }),
        SETTINGS,
      );
    });
  }

  it('auto-detection: junk never claims a connection; the first real frame does', () => {
    const filler = Buffer.alloc(CAP + 16, 0);
    fc.assert(
      fc.property(junk, cuts, fc.constantFrom(...Object.keys(PROTOCOLS)), (bytes, cutPoints, protocol) => {
        const s = createSession({ maxBufferBytes: CAP });
        pushInPieces(s, bytes, cutPoints);
        s.push(filler);
        s.push(PROTOCOLS[protocol].hello);
        return s.protocol === protocol && s.deviceId !== undefined;
      }),
      SETTINGS,
    );
  });
});

describe('property: shared checksums', () => {
  for (const [name, fast, bitwise] of [
    ['CRC-16/X-25', 'crc16x25', crc16],
    ['CRC-16/IBM', 'crc16ibm', crc16ibm],
  ]) {
    it(`${name} (two bytes per step) equals a bitwise CRC for any bytes and range`, () => {
      const crc = require('../../dist')[fast];
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, a, b) => {
          const buf = Buffer.from(bytes);
          const start = buf.length ? a % (buf.length + 1) : 0;
          const end = start + (buf.length - start ? b % (buf.length - start + 1) : 0);
          assert.equal(crc(buf, start, end), bitwise(buf.subarray(start, end)));
        }),
        SETTINGS,
      );
    });
  }
});

describe('property: encoders read back', () => {
  const printable = fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    minLength: 1,
    maxLength: 120,
  });

  it('GT06 0x80 text commands: length, server flag, text, CRC', () => {
    const codec = getCodec('gt06');
    fc.assert(
      fc.property(printable, fc.integer({ min: 1, max: 0xffffffff }), (text, flag) => {
        const conn = { deviceId: F.IMEI, state: codec.createState({}), options: {} };
        const [f] = codec.encodeCommand({ type: 'custom', text, serverFlag: flag }, conn).frames;
        assert.deepEqual([f[0], f[1], f[3]], [0x78, 0x78, 0x80]);
        assert.equal(f[2], f.length - 5);
        assert.equal(f[4], 4 + text.length);
        assert.equal(f.readUInt32BE(5), flag);
        assert.equal(f.toString('latin1', 9, 9 + text.length), text);
        assert.equal(f.readUInt16BE(f.length - 4), crc16(f.subarray(2, f.length - 4)));
        assert.deepEqual([f[f.length - 2], f[f.length - 1]], [0x0d, 0x0a]);
      }),
      SETTINGS,
    );
  });

  it('GT06 refuses text with line breaks or binary', () => {
    const codec = getCodec('gt06');
    fc.assert(
      fc.property(printable, fc.constantFrom('\r', '\n', '\u0000', '\u00ff'), (text, bad) => {
        const conn = { deviceId: F.IMEI, state: codec.createState({}), options: {} };
        assert.throws(() => codec.encodeCommand({ type: 'custom', text: text + bad }, conn), /printable/);
      }),
      SETTINGS,
    );
  });

  it('JT/T 808 0x8103 parameters, 0x8300 text and 0x8202 tracking: escaped, checksummed, fields intact', () => {
    const codec = getCodec('jt808');
    const params = fc.dictionary(
      fc.integer({ min: 0x0020, max: 0x0030 }).map((id) => `0x${id.toString(16).padStart(4, '0')}`),
      fc.integer({ min: 0, max: 0xffffffff }),
      { minKeys: 1, maxKeys: 20 },
    );
    fc.assert(
      fc.property(
        params,
        printable,
        fc.integer({ min: 0, max: 65535 }),
        fc.boolean(),
        (parameters, text, interval, v2019) => {
          const conn = { deviceId: '13912345678', state: codec.createState({}), options: {} };
          conn.state.version = v2019 ? 1 : undefined;
          const read = (cmd) => J.parse(codec.encodeCommand(cmd, conn).frames[0]);
          const set = read({ type: 'setParameters', parameters });
          assert.ok(set.checksumOk);
          assert.equal(set.msgId, 0x8103);
          assert.equal(set.bodyLength, set.body.length);
          assert.equal(set.version, v2019 ? 1 : undefined);
          const entries = Object.entries(parameters);
          assert.equal(set.body[0], entries.length);
          let at = 1;
          for (const [id, value] of entries) {
            assert.equal(set.body.readUInt32BE(at), Number(id));
            assert.equal(set.body[at + 4], 4);
            assert.equal(set.body.readUInt32BE(at + 5), value);
            at += 9;
          }
          const msg = read({ type: 'sendText', text });
          assert.equal(msg.msgId, 0x8300);
          assert.equal(msg.body.toString('latin1', v2019 ? 2 : 1), text);
          const track = read({ type: 'tracking', interval, duration: 60 });
          assert.deepEqual(
            [track.msgId, track.body.readUInt16BE(0), track.body.readUInt32BE(2)],
            [0x8202, interval, 60],
          );
        },
      ),
      SETTINGS,
    );
  });

  it('JT600 commands are one parenthesised sentence; parentheses inside are refused', () => {
    const codec = getCodec('jt600');
    const safe = printable.filter((t) => !/[()]/.test(t));
    fc.assert(
      fc.property(safe, (text) => {
        const [f] = codec.encodeCommand({ type: 'custom', text }, { state: {}, options: {} }).frames;
        assert.equal(f.toString('latin1'), `(${text})`);
        assert.throws(() =>
          codec.encodeCommand({ type: 'custom', text: `${text})(${text}` }, { state: {}, options: {} }),
        );
      }),
      SETTINGS,
    );
  });

  it('H02 commands: one *HQ message with the device ID and a 6-digit time; custom text as it is', () => {
    const codec = getCodec('h02');
    const types = ['engineStop', 'engineResume', 'alarmArm', 'alarmDisarm', 'positionPeriodic'];
    fc.assert(
      fc.property(
        fc.constantFrom(...types),
        fc.integer({ min: 1, max: 65535 }),
        fc.integer({ min: 0, max: 4e12 }),
        printable,
        (type, interval, now, text) => {
          const conn = { deviceId: '4106011660', now, state: {}, options: {} };
          const s = codec.encodeCommand({ type, interval }, conn).frames[0].toString('latin1');
          assert.match(s, /^\*HQ,4106011660,(S20|SCF|S71),\d{6},[\d,]+#$/);
          const custom = codec.encodeCommand({ type: 'custom', text }, conn).frames[0].toString('latin1');
          assert.equal(custom, text.replace(/\\r/g, '\r').replace(/\\n/g, '\n'));
        },
      ),
      SETTINGS,
    );
  });

  it('GPS103 commands: **,imei:<IMEI>,<code>; custom text without ";" or line breaks', () => {
    const codec = getCodec('gps103');
    const conn = { deviceId: '359586015829802', state: {}, options: {} };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99 * 3600 }), printable, (interval, text) => {
        const s = codec.encodeCommand({ type: 'positionPeriodic', interval }, conn).frames[0].toString('latin1');
        const m = /^\*\*,imei:359586015829802,C,(\d\d)([smh])$/.exec(s);
        assert.ok(m, s);
        const unit = { s: 1, m: 60, h: 3600 }[m[2]];
        assert.ok(Number(m[1]) * unit <= interval && interval < (Number(m[1]) + 1) * unit, `${interval} -> ${s}`);
        if (text.includes(';')) assert.throws(() => codec.encodeCommand({ type: 'custom', text }, conn), /";"/);
        else
          assert.equal(
            codec.encodeCommand({ type: 'custom', text }, conn).frames[0].toString('latin1'),
            `**,imei:359586015829802,${text}`,
          );
        assert.throws(() => codec.encodeCommand({ type: 'custom', text: `${text}\r\n` }, conn));
      }),
      SETTINGS,
    );
  });

  it('TK103 commands: one (<id><text>) frame, or the text in the SMS envelope; frame breakers refused', () => {
    const codec = getCodec('tk103');
    const safe = printable.filter((t) => !/[()[\]$]/.test(t));
    fc.assert(
      fc.property(safe, fc.boolean(), (text, sms) => {
        const conn = { deviceId: '027044702512', state: {}, options: {} };
        const [f] = codec.encodeCommand({ type: 'custom', text, alternative: sms }, conn).frames;
        assert.equal(f.toString('latin1'), sms ? `[begin]sms2,${text},[end]` : `(027044702512${text})`);
        // the device's framer sees exactly one frame
        if (!sms) assert.equal(codec.frameLength(f, 0, f.length), f.length);
        for (const bad of [')', '(', '$', ']', '\n'])
          assert.throws(() => codec.encodeCommand({ type: 'custom', text: text + bad, alternative: sms }, conn));
      }),
      SETTINGS,
    );
  });

  it('watch commands: length field = escaped content bytes, escapes undone give the audio back', () => {
    const codec = getCodec('watch');
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 400 }),
        fc.constantFrom('SG', '3G', 'ZJ'),
        fc.boolean(),
        (audio, maker, index) => {
          const conn = { deviceId: '8800000015', state: { manufacturer: maker, hasIndex: index }, options: {} };
          const [f] = codec.encodeCommand(
            { type: 'voiceMessage', audio: Buffer.from(audio).toString('hex') },
            conn,
          ).frames;
          const head = `[${maker === '3G' ? 'SG' : maker}*8800000015*${index ? '0001*' : ''}`;
          assert.equal(f.toString('latin1', 0, head.length), head);
          const len = parseInt(f.toString('latin1', head.length, head.length + 4), 16);
          const content = f.subarray(head.length + 5, f.length - 1);
          assert.equal(len, content.length);
          assert.equal(f[f.length - 1], 0x5d);
          // no raw bracket inside: the watch's framer sees one frame
          assert.ok(!content.includes(0x5b) && !content.includes(0x5d));
          const out = [];
          for (let i = 3; i < content.length; i++)
            out.push(content[i] === 0x7d ? [0, 0x7d, 0x5b, 0x5d, 0x2c, 0x2a][content[++i]] : content[i]);
          assert.deepEqual(Buffer.from(out), Buffer.from(audio));
          assert.equal(codec.frameLength(f, 0, f.length), f.length);
        },
      ),
      SETTINGS,
    );
  });

  it('VT600 $$ commands: declared length and byte-sum checksum', () => {
    const codec = getCodec('vt600');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 1 }), printable, (index, data, text) => {
        const conn = { deviceId: '123456789012345', state: {}, options: {} };
        for (const cmd of [
          { type: 'outputControl', index, data },
          { type: 'custom', text: `808,${text}` },
        ]) {
          const s = codec.encodeCommand(cmd, conn).frames[0].toString('latin1');
          const m = /^\$\$:(\d+)(,123456789012345,(.*))([0-9A-F]{2})\r\n$/s.exec(s);
          assert.ok(m, s);
          assert.equal(Number(m[1]), m[2].length);
          let sum = 0;
          for (const c of Buffer.from(s.slice(0, s.length - 4), 'latin1')) sum = (sum + c) & 0xff;
          assert.equal(parseInt(m[4], 16), sum);
          if (cmd.type === 'outputControl') assert.equal(m[3], `900,${index},${data}`);
        }
      }),
      SETTINGS,
    );
  });
});

describe('property: OsmAnd requests (HTTP)', () => {
  const { HttpReplay, attributeSpec } = require('../../dist/index.js');
  const { request } = require('../lib/osmand');
  const codec = getCodec('osmand');
  const text = fc.string({ maxLength: 40 });
  const value = fc.oneof(text, fc.double({ noNaN: false }).map(String), fc.constantFrom('true', 'false', '', '-1'));
  const names = fc.constantFrom(
    'id',
    'deviceid',
    'lat',
    'lon',
    'location',
    'timestamp',
    'speed',
    'speedUnit',
    'bearing',
    'altitude',
    'batt',
    'charge',
    'cell',
    'wifi',
    'alarm',
    'valid',
    'power',
    'io5',
    'token',
    '__proto__',
    'constructor',
  );
  const query = fc
    .array(fc.tuple(fc.oneof(names, text), value), { maxLength: 12 })
    .map((pairs) => new URLSearchParams(pairs).toString());
  const body = fc.oneof(
    fc.json().map((j) => ({ type: 'application/json', body: j })),
    fc
      .record({ location: fc.anything(), device_id: fc.oneof(text, fc.integer()) })
      .map((o) => ({ type: 'application/json', body: JSON.stringify(o) })),
    query.map((q) => ({ type: 'application/x-www-form-urlencoded', body: q })),
    fc.uint8Array({ maxLength: 200 }).map((b) => ({ type: '', body: Buffer.from(b).toString('latin1') })),
  );

  it('any request: no throw, 200 or 400, device IDs by the rule, every attribute typed by the vocabulary', () => {
    fc.assert(
      fc.property(query, body, fc.constantFrom('GET', 'POST', 'PUT'), (q, b, method) => {
        const conn = {
          protocol: 'osmand',
          options: {},
          deviceId: undefined,
          now: 0,
          receivedAt: '1970-01-01T00:00:00.000Z',
          state: {},
        };
        const out = { messages: [], replies: [], errors: [], answers: [] };
        const { status } = codec.decodeRequest(
          request({ method, url: `/?${q}`, headers: b.type ? { 'content-type': b.type } : {}, body: b.body }),
          conn,
          out,
        );
        assert.ok(status === 200 || status === 400, String(status));
        if (status === 400) assert.deepEqual(out.messages, []);
        for (const m of out.messages) {
          assert.match(m.deviceId, /^\S(?:.{0,62}\S)?$/u);
          assert.equal(m.deviceId, conn.deviceId);
          assert.ok(!Number.isNaN(Date.parse(m.time)), m.time);
          for (const [key, v] of Object.entries(m.attributes)) {
            const spec = attributeSpec(key);
            assert.ok(spec, key);
            assert.ok(spec.type.split('|').includes(typeof v === 'object' ? 'object' : typeof v), `${key}: ${v}`);
          }
          if (m.lat !== undefined) assert.ok(Math.abs(m.lat) <= 90 && Math.abs(m.lon) <= 180);
        }
      }),
      SETTINGS,
    );
  });

  it('any bytes after a request line, split anywhere: one answer per request at most, nothing thrown', async () => {
    await fc.assert(
      fc.asyncProperty(junk, cuts, async (bytes, cutPoints) => {
        const session = createSession();
        const replay = new HttpReplay(session);
        const all = Buffer.concat([Buffer.from('POST /?id=1 HTTP/1.1\r\nContent-Length: 5\r\n\r\nlat=1'), bytes]);
        const points = [...new Set(cutPoints.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
        let prev = 0;
        let written = '';
        for (const p of [...points, all.length]) {
          const r = await replay.push(all.subarray(prev, p));
          written += r.replies.map((x) => x.toString('latin1')).join('');
          prev = p;
        }
        replay.close();
        assertNoCodecException(session);
        const statuses = [...written.matchAll(/^HTTP\/1\.1 (\d{3}) /gm)].map((m) => Number(m[1]));
        assert.equal(statuses[0], 200);
        assert.ok(
          statuses.every((s) => [200, 400, 408, 413, 431].includes(s)),
          statuses.join(),
        );
      }),
      { ...SETTINGS, numRuns: Math.max(10, Math.floor(RUNS / 5)) },
    );
  });
});
