'use strict';
// Runs Traccar's conformance vectors (test/fixtures/traccar, see the NOTICE there) against the built codecs:
// every decode case in order through one connection per group (a login early on identifies the device),
// every frame case, every encode case. Shared by the vector tests and `npm run conformance`.
const { getCodec, createSession, validateCommand, HttpReplay, COMMAND_ALIASES } = require('../../dist/index.js');
const { loadVectors, makeConnection, emptyOutput, checkExpectation } = require('./vectors');
const { escapeFrame, unescapeFrame } = require('./jt808');
const { unescapeText } = require('./jt600');

const PROTOCOLS = ['gt06', 'jt808', 'jt600', 'vt600', 'h02', 'gps103', 'osmand', 'tk103', 'watch', 'teltonika'];

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
  osmand: { decode: {}, frame: {}, encode: {} },
  tk103: {
    decode: {
      12: 'a DW5B cell/Wi-Fi report without GPS: Traccar gives it the last known location (its test harness has one); we emit a network record with the cells and access points, and no invented location',
    },
    frame: {},
    encode: {},
  },
  watch: {
    decode: {
      7: 'six JXTK voice chunks in one buffer: Traccar’s test hands them to the decoder unframed, which reads the first header only and emits nothing; through our framer they become the whole 5312-byte voice message, emitted as one audio record (each chunk answered JXTKR,1)',
    },
    frame: {},
    encode: {},
  },
  teltonika: {
    decode: {},
    frame: {},
    encode: {
      'TeltonikaProtocolEncoderTest.testEncode#1':
        'custom `data`/`text` is always sent as text; bytes go in `hex` (Traccar sends any text made of hex digit pairs as bytes, so a text such as "1234" could not be sent); with `hex` the bytes are the same (test/unit/teltonika.spec.js)',
    },
  },
};

/**
 * An HTTP vector's request as Node's HTTP parser hands it over (header names in lower case): what the codec's
 * `decodeRequest` takes. The same requests on the wire go through the product's HTTP path in
 * runWireConformance.
 */
function httpRequest(v) {
  const headers = {};
  for (const [name, value] of Object.entries(v.headers)) headers[name.toLowerCase()] = value;
  return { method: v.method, url: v.uri, headers, body: Buffer.from(v.body, 'utf8') };
}

/** Traccar keeps a parameter it has no name for under its own name; ours go to `attributes.params`. */
function withParams(m) {
  const { params, ...attributes } = m.attributes;
  return params ? { ...m, attributes: { ...params, ...attributes } } : m;
}

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
  osmand: {
    // the vectors' hex is the request on the wire (runWireConformance); here the request the parser makes of it
    wire: (hex) => Buffer.from(hex, 'hex'),
    http: true,
    decode(codec, v, conn, out) {
      const { status } = codec.decodeRequest(httpRequest(v), conn, out);
      return status === v.httpStatus ? null : `answered ${status}, expected ${v.httpStatus}`;
    },
    view: withParams,
    title: (v) => `${v.method} ${v.headers['Content-Type'] ?? v.uri.slice(0, 48)}`,
  },
  tk103: {
    wire: (hex) => Buffer.from(hex, 'hex'),
    frameText: (b) => b,
    // Traccar's alternative mode (a server setting there) is the `alternative` parameter here, where declared
    encode(codec, e) {
      const { uniqueId, ...params } = e.attributes;
      const conn = makeConnection(codec);
      conn.deviceId = uniqueId;
      const command = { type: e.command, ...params };
      if (e.alternative && takes(codec, e.command, 'alternative')) command.alternative = true;
      return encodeChecked(codec, command, conn).frames[0].toString('hex');
    },
    title: textTitle,
  },
  watch: {
    // decode vectors are frames after unescaping: binary content goes back to its escaped wire form; seq 7 of
    // testDecode is six frames still escaped, as they arrive
    wire: (hex, v) => (v?.seq === 7 && v.group.endsWith('.testDecode') ? Buffer.from(hex, 'hex') : watchWire(hex)),
    split: true,
    // Traccar's framer hands frames on unescaped
    frameText: (b) => watchFrame(b, unescapeWatch),
    encode(codec, e) {
      const { uniqueId, sessionManufacturer, sessionHasIndex, ...params } = e.attributes;
      const conn = makeConnection(codec);
      conn.deviceId = uniqueId;
      conn.state.manufacturer = sessionManufacturer;
      conn.state.hasIndex = sessionHasIndex;
      return encodeChecked(codec, { type: e.command, ...params }, conn).frames[0].toString('hex');
    },
    // Traccar's media store is mocked in its tests (a file name); ours puts the audio itself in the record
    values: (values) => {
      if (!values || values.audio === undefined) return values;
      const { audio, ...rest } = values;
      return { ...rest, mediaType: 'audio' };
    },
    title: (v) => (v.text ?? `${Buffer.from(v.hex, 'hex').toString('latin1', 0, 40)} (binary)`).slice(0, 40),
  },
  teltonika: {
    wire: (hex) => Buffer.from(hex, 'hex'),
    frameText: (b) => b,
    encode: plainEncode,
    title: (v) => (v.codec ? `codec 0x${v.codec}` : v.hex.length === 2 ? 'keep-alive' : 'IMEI login'),
    // Traccar's BLE sensor values in our names and units: both are the tag's battery voltage, in mV there, V here
    values: (values) => {
      if (!values) return values;
      const { tag1Voltage, tag1Battery, ...rest } = values;
      if (tag1Voltage !== undefined) rest.tag1Battery = tag1Voltage / 1000;
      if (tag1Battery !== undefined) rest.tag1Battery = tag1Battery / 1000;
      return rest;
    },
  },
};

const WATCH_HEAD = /^\[[0-9A-Za-z]{2}\*[0-9A-Za-z]+\*(?:[0-9A-Fa-f]{4}\*)?[0-9A-Fa-f]{4}\*/;

/** A watch frame with its content passed through `map`. */
function watchFrame(frame, map) {
  const head = WATCH_HEAD.exec(frame.toString('latin1', 0, 48));
  if (!head) return frame;
  const content = frame.subarray(head[0].length, frame.length - 1);
  return Buffer.concat([frame.subarray(0, head[0].length), map(content), frame.subarray(frame.length - 1)]);
}

const WATCH_ESCAPES = { 0x7d: 1, 0x5b: 2, 0x5d: 3, 0x2c: 4, 0x2a: 5 };

/** Binary content escaped as a watch sends it (text content travels as it is). */
function watchWire(hex) {
  return watchFrame(Buffer.from(hex, 'hex'), (content) => {
    if (/^[\x20-\x7e\r\n]*$/.test(content.toString('latin1'))) return content;
    const out = [];
    for (const b of content) out.push(...(WATCH_ESCAPES[b] ? [0x7d, WATCH_ESCAPES[b]] : [b]));
    return Buffer.from(out);
  });
}

function unescapeWatch(content) {
  const out = [];
  for (let i = 0; i < content.length; i++) {
    if (content[i] === 0x7d && content[i + 1] >= 1 && content[i + 1] <= 5)
      out.push([0, 0x7d, 0x5b, 0x5d, 0x2c, 0x2a][content[++i]]);
    else out.push(content[i]);
  }
  return Buffer.from(out);
}

/** The frames a stream splits into (junk skipped, an incomplete tail left out). */
function splitFrames(codec, stream) {
  const frames = [];
  let off = 0;
  while (off < stream.length) {
    const n = codec.frameLength(stream, off, stream.length);
    if (n === 0) break;
    if (n > 0) frames.push(stream.subarray(off, off + n));
    off += Math.abs(n);
  }
  return frames;
}

/** Whether a codec's declaration of a command type (or its alias) takes a parameter. */
function takes(codec, type, param) {
  const canonical = COMMAND_ALIASES[type] ?? type;
  return codec.commands.some((c) => c.type === canonical && c.params.some((p) => p.name === param));
}

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
      let problem = null;
      if (feed.decode) problem = feed.decode(codec, v, c, out);
      else {
        const wire = feed.wire(v.hex, v);
        // a vector holding several frames as they arrive goes through the framer first
        for (const frame of feed.split ? splitFrames(codec, wire) : [wire]) codec.decode(frame, c, out);
      }
      conn.deviceId = c.deviceId;
      conn.state = c.state;
      if (records) records.push(...out.messages);
      const expected = feed.values ? { ...v, values: feed.values(v.values) } : v;
      return problem ?? checkExpectation(feed.view ? out.messages.map(feed.view) : out.messages, expected);
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

/**
 * The decode vectors of a protocol spoken over HTTP, as they arrive on the wire: one connection per group,
 * through a session (`mode`: the protocol pinned, or `auto`) and the product's HTTP path (HttpReplay: Node's
 * parser and the tracker port's limits). Each request must get exactly one answer, with the vector's status,
 * and the records the vector expects. Resolves with cases shaped like runConformance's.
 */
async function runWireConformance(protocol, mode) {
  const feed = FEED[protocol];
  const known = KNOWN_DIFFERENCES[protocol];
  const groups = new Map();
  for (const v of loadVectors(protocol).decode) {
    if (!groups.has(v.group)) groups.set(v.group, []);
    groups.get(v.group).push(v);
  }
  const cases = [];
  for (const vectors of groups.values()) {
    const connection = new HttpReplay(createSession({ protocol: mode }));
    for (const v of vectors) {
      const result = await connection.push(feed.wire(v.hex));
      const problem = attempt(() => {
        const answers = result.replies.map((r) => r.toString('latin1')).join('');
        const statuses = [...answers.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
        if (statuses.length !== 1) return `${statuses.length} answers`;
        if (statuses[0] !== v.httpStatus) return `answered ${statuses[0]}, expected ${v.httpStatus}`;
        if (result.messages.some((m) => m.protocol !== protocol)) return 'decoded as another protocol';
        return checkExpectation(result.messages.map(feed.view), v);
      });
      cases.push({
        kind: 'decode',
        id: v.seq,
        title: `#${v.seq} ${feed.title(v)} (${mode})`,
        problem,
        known: known.decode[v.seq],
      });
    }
    connection.close();
  }
  return cases;
}

/** A decode vector's frame as it arrives on the wire. */
function wireOf(protocol, vector) {
  return FEED[protocol].wire(vector.hex, vector);
}

/** Protocols spoken over HTTP, whose vectors runWireConformance also feeds as wire bytes. */
const HTTP_PROTOCOLS = PROTOCOLS.filter((p) => FEED[p].http);

module.exports = { PROTOCOLS, HTTP_PROTOCOLS, KNOWN_DIFFERENCES, runConformance, runWireConformance, wireOf };
