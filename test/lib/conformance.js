'use strict';
// Runs Traccar's conformance vectors (test/fixtures/traccar, see the NOTICE there) against the built codecs:
// every decode case in order through one connection per group (a login early on identifies the device),
// every frame case, every encode case. Shared by the vector tests and `npm run conformance`.
const { getCodec, createSession, validateCommand } = require('../../dist/index.js');
const { loadVectors, makeConnection, emptyOutput, checkExpectation } = require('./vectors');
const { escapeFrame, unescapeFrame } = require('./jt808');
const { unescapeText } = require('./jt600');

const PROTOCOLS = ['gt06', 'jt808', 'jt600', 'vt600', 'h02', 'gps103', 'teltonika'];

/** Cases we handle differently from Traccar on purpose, with the reason: by protocol, kind and case id. */
const KNOWN_DIFFERENCES = {
  gt06: { decode: {}, frame: {}, encode: {} },
  jt808: {
    decode: {},
    frame: {},
    encode: {
      rebootDevice:
        'we send the standard terminal control 0x8105 command 4 (reset), not the vendor 0x0310 parameter 0x23 (Traccar PR #5997 makes the same change)',
      positionPeriodic:
        'we set the standard parameter 0x0029 (default report interval) with 0x8103, not the vendor 0x0310 parameter 0x06',
    },
  },
  jt600: { decode: {}, frame: {}, encode: {} },
  vt600: { decode: {}, frame: {}, encode: {} },
  h02: { decode: {}, frame: {}, encode: {} },
  gps103: { decode: {}, frame: {}, encode: {} },
  teltonika: {
    decode: {},
    frame: {},
    encode: {
      'TeltonikaProtocolEncoderTest.testEncode#1':
        'custom `data`/`text` is always sent as text; bytes go in `hex` (Traccar sends any text made of hex digit pairs as bytes, so a text such as "1234" could not be sent); with `hex` the bytes are the same (test/unit/teltonika.spec.js)',
    },
  },
};

/** How each protocol's vectors are fed and compared. */
const FEED = {
  gt06: {
    // the vectors are wire frames
    wire: (hex) => Buffer.from(hex, 'hex'),
    frameText: (b) => b,
    // Traccar's GT06 frame cases list the frames they care about first; every byte must belong to a frame
    framePrefix: true,
    encode(_codec, e) {
      const s = createSession({ protocol: 'gt06' });
      s.push(Buffer.from('78780d01012345678901234500018cdd0d0a', 'hex'));
      // serverFlag 0 is Traccar's constant; ours otherwise numbers each command to match its answer
      return s.encodeCommand({ type: e.command, ...e.attributes, serverFlag: 0 }).frames[0].toString('hex');
    },
    title: (v) => {
      const at = v.hex.startsWith('7979') ? 8 : 6;
      return `type 0x${v.hex.slice(at, at + 2)}`;
    },
  },
  jt808: {
    // the vectors are frames after unescaping: put the escapes back, as they travel on the wire
    wire: (hex) => (hex.startsWith('7e') ? escapeFrame(hex) : Buffer.from(hex, 'hex')),
    frameText: unescapeFrame,
    encode(codec, e) {
      const { deviceUniqueId, deviceModel, sessionProtocolVersion, ...params } = e.attributes;
      const conn = makeConnection(codec, deviceModel ? { model: deviceModel } : {});
      conn.deviceId = deviceUniqueId;
      conn.state.version = sessionProtocolVersion;
      return unescapeFrame(encodeChecked(codec, { type: e.command, ...params }, conn).frames[0]).toString('hex');
    },
    title: (v) => (v.hex.startsWith('7e') ? `0x${v.hex.slice(2, 6)}` : '(text)'),
  },
  jt600: {
    wire: (hex) => Buffer.from(hex, 'hex'),
    frameText: unescapeText,
    encode: plainEncode,
    title: textTitle,
  },
  vt600: {
    wire: (hex) => Buffer.from(hex, 'hex'),
    frameText: (b) => b,
    encode: plainEncode,
    title: textTitle,
  },
  h02: {
    // fix times more than 25 h ahead of the clock are not believed: the clock is later than the newest vector
    now: Date.UTC(2026, 0, 1),
    wire: (hex) => Buffer.from(hex, 'hex'),
    // our text frames keep the CR/LF that follows `#` (the decoder ignores it); Traccar's framer drops it
    frameText: (b) => {
      let n = b.length;
      while (n > 0 && (b[n - 1] === 0x0d || b[n - 1] === 0x0a || b[n - 1] === 0x20)) n--;
      return b.subarray(0, n);
    },
    // the time field of a command is the clock when it is sent: Traccar's test clock reads 01:02:03
    encode: (codec, e) => plainEncode(codec, e, Date.UTC(2024, 0, 2, 1, 2, 3)),
    title: (v) => (v.hex.startsWith('2a') ? textTitle(v) : `binary ${v.hex.length / 2} bytes`),
  },
  gps103: {
    now: Date.UTC(2026, 0, 1),
    wire: (hex) => Buffer.from(hex, 'hex'),
    frameText: (b) => b,
    encode: plainEncode,
    title: textTitle,
  },
  teltonika: {
    wire: (hex) => Buffer.from(hex, 'hex'),
    frameText: (b) => b,
    encode: plainEncode,
    title: (v) => (v.codec ? `codec 0x${v.codec}` : v.hex.length === 2 ? 'keep-alive' : 'IMEI login'),
    // Traccar's BLE sensor values in our names and units: both are the tag's battery voltage, in mV there, V here
    values: ({ tag1Voltage, tag1Battery, ...rest }) => ({
      ...rest,
      ...(tag1Voltage !== undefined && { tag1Battery: tag1Voltage / 1000 }),
      ...(tag1Battery !== undefined && { tag1Battery: tag1Battery / 1000 }),
    }),
  },
};

function plainEncode(codec, e, now) {
  const { uniqueId, ...params } = e.attributes;
  const conn = makeConnection(codec, {}, now);
  conn.deviceId = uniqueId;
  return encodeChecked(codec, { type: e.command, ...params }, conn).frames[0].toString('hex');
}

/** As the session does: the command is checked against the codec's declaration first. */
function encodeChecked(codec, command, conn) {
  return codec.encodeCommand(validateCommand(codec.protocol, codec.commands, command), conn);
}

function textTitle(v) {
  return (v.text ?? v.hex).slice(0, 40).replace(/\r\n/g, ' ');
}

/** A thrown error is a failed case, never a crashed run. */
function attempt(fn) {
  try {
    return fn();
  } catch (err) {
    return `threw ${err?.message}`;
  }
}

/**
 * Every case of one protocol: `{kind: 'decode'|'frame'|'encode', id, title, problem (null = passed), known}`,
 * `known` being the reason when the case is a deliberate difference. `records`, when given, collects every
 * record the decode cases produced.
 */
function runConformance(protocol, records) {
  const V = loadVectors(protocol);
  const codec = getCodec(protocol);
  const feed = FEED[protocol];
  const known = KNOWN_DIFFERENCES[protocol];
  const cases = [];

  const connections = new Map();
  for (const v of V.decode) {
    if (!connections.has(v.group)) connections.set(v.group, makeConnection(codec, {}, feed.now));
    const conn = connections.get(v.group);
    const problem = attempt(() => {
      const out = emptyOutput();
      // a case decoded under a configured device model sees that model; the connection's state carries on
      const c = v.model ? { ...conn, options: { ...conn.options, model: v.model } } : conn;
      codec.decode(feed.wire(v.hex), c, out);
      conn.deviceId = c.deviceId;
      conn.state = c.state;
      if (records) records.push(...out.messages);
      return checkExpectation(out.messages, feed.values && v.values ? { ...v, values: feed.values(v.values) } : v);
    });
    const title = `#${v.seq} ${feed.title(v)} -> ${v.expect}${v.values ? ` ${JSON.stringify(v.values)}` : ''}${v.model ? ` (model ${v.model})` : ''}`;
    cases.push({ kind: 'decode', id: v.seq, title, problem, known: known.decode[v.seq] });
  }

  for (const f of V.frame) {
    const problem = attempt(() => {
      const stream = Buffer.from(f.stream, 'hex');
      const frames = [];
      let off = 0;
      while (off < stream.length) {
        const n = codec.frameLength(stream, off, stream.length);
        if (n === 0) {
          if (feed.framePrefix)
            return `the stream holds complete frames, but ${stream.length - off} bytes were left waiting`;
          break; // incomplete trailing data
        }
        if (n > 0) frames.push(feed.frameText(stream.subarray(off, off + n)).toString('hex'));
        off += Math.abs(n);
      }
      const got = feed.framePrefix ? frames.slice(0, f.frames.length) : frames;
      return JSON.stringify(got) === JSON.stringify(f.frames)
        ? null
        : `frames ${JSON.stringify(got)}, expected ${JSON.stringify(f.frames)}`;
    });
    cases.push({ kind: 'frame', id: f.name, title: f.name, problem, known: known.frame[f.name] });
  }

  for (const e of V.encode) {
    const problem = attempt(() => {
      const hex = feed.encode(codec, e);
      return hex === e.hex ? null : `sent ${hex}, expected ${e.hex}`;
    });
    // a deliberate difference is listed by the case's name, or by its command when every case of it differs
    const reason = known.encode[e.name] ?? known.encode[e.command];
    cases.push({ kind: 'encode', id: e.command, title: e.name, problem, known: reason });
  }
  return cases;
}

/** A decode vector's frame as it arrives on the wire. */
function wireOf(protocol, vector) {
  return FEED[protocol].wire(vector.hex);
}

module.exports = { PROTOCOLS, KNOWN_DIFFERENCES, runConformance, wireOf };
