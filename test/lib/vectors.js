'use strict';
// Conformance-vector helpers shared by every protocol's vector test.
// Vectors: test/fixtures/traccar/*.json (Traccar test data, see the NOTICE there).
const path = require('node:path');
const { isDeepStrictEqual } = require('node:util');

function loadVectors(protocol) {
  return require(path.join(__dirname, '..', 'fixtures', 'traccar', `${protocol}.json`));
}

/** A Connection as the session builds it, for driving a codec directly with decode vectors. */
function makeConnection(codec, options = {}, now = Date.UTC(2024, 0, 2, 3, 4, 5)) {
  return {
    protocol: codec.protocol,
    options,
    deviceId: undefined,
    now,
    receivedAt: new Date(now).toISOString(),
    state: codec.createState(options),
  };
}

function emptyOutput() {
  return { messages: [], replies: [], errors: [], answers: [] };
}

/**
 * Records that only say who the device is or that it is alive. Traccar returns nothing for these
 * frames (expect "none"); we emit them on purpose (a login or heartbeat is worth a flow message).
 */
const SESSION_TYPES = new Set(['login', 'register', 'authentication', 'logout', 'heartbeat', 'trip']);
/** Records that only identify the device: never the record a vector's values are checked on. */
const IDENTIFICATION_TYPES = new Set(['login', 'register', 'authentication', 'logout']);

/** Traccar names of record fields -> our TrackerMessage fields (everything else is in attributes). */
const TOP_LEVEL = {
  latitude: 'lat',
  longitude: 'lon',
  altitude: 'altitude',
  valid: 'valid',
  time: 'time',
  course: 'course',
  sat: 'satellites',
  satellites: 'satellites',
  ignition: 'ignition',
};

function hasLocation(m) {
  return Number.isFinite(m.lat) && Number.isFinite(m.lon) && Math.abs(m.lat) <= 90 && Math.abs(m.lon) <= 180;
}

function sameNumber(a, b) {
  return typeof a === 'number' && Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b));
}

/** Why `record` does not carry the asserted `values`, or null when it does. */
function valueMismatch(record, values, keyMap = {}) {
  for (const [key, want] of Object.entries(values)) {
    if (key === 'alarm') {
      const got = [...(record.alarms || [])].sort();
      const exp = want === null ? [] : String(want).split(',').sort();
      if (!isDeepStrictEqual(got, exp)) return `alarms ${JSON.stringify(got)} != ${JSON.stringify(exp)}`;
      continue;
    }
    if (key === 'speedKnots') {
      if (!sameNumber(record.speed / 1.852, want)) return `speed ${record.speed} km/h != ${want} kn`;
      continue;
    }
    const field = keyMap[key] || TOP_LEVEL[key];
    const got = field ? record[field] : record.attributes?.[key];
    if (want === null) {
      if (got !== undefined) return `${key} should be absent, got ${JSON.stringify(got)}`;
    } else if (key === 'time') {
      if (Date.parse(got) !== Date.parse(want)) return `time ${got} != ${want}`;
    } else if (typeof want === 'number') {
      if (!sameNumber(got, want)) return `${key} ${JSON.stringify(got)} != ${want}`;
    } else if (!isDeepStrictEqual(got, want)) {
      return `${key} ${JSON.stringify(got)} != ${JSON.stringify(want)}`;
    }
  }
  return null;
}

function plausibleTime(m) {
  const t = Date.parse(m.time);
  return t > Date.UTC(1999, 0, 1) && t < Date.now() + 25 * 3600e3;
}

/**
 * Checks decoded records against a decode vector's expectation, as Traccar's verify* helpers do.
 * Returns null when it holds, or the reason it does not.
 */
function checkExpectation(records, vector, keyMap) {
  const data = records.filter((m) => !IDENTIFICATION_TYPES.has(m.type) || hasLocation(m));
  switch (vector.expect) {
    case 'none': {
      const unexpected = records.filter((m) => !SESSION_TYPES.has(m.type) || hasLocation(m));
      return unexpected.length ? `expected nothing, got ${unexpected.map((m) => m.type).join(',')}` : null;
    }
    case 'position':
    case 'positions': {
      // records that answer a command or pass data through: only that something came out is asserted
      if (vector.locationChecked === false) return data.length ? null : 'expected a record, got nothing';
      const located = data.filter(hasLocation);
      if (!located.length) return `expected a position, got ${data.map((m) => m.type).join(',') || 'nothing'}`;
      if (vector.count !== undefined && located.length !== vector.count)
        return `expected ${vector.count} positions, got ${located.length}`;
      for (const m of vector.expect === 'position' ? located.slice(0, 1) : located) {
        if (!plausibleTime(m)) return `implausible time ${m.time}`;
        if (vector.values) {
          const why = valueMismatch(m, vector.values, keyMap);
          if (why) return why;
        }
      }
      return null;
    }
    case 'attributes': {
      if (!data.length) return 'expected a record, got nothing';
      const first = data[0];
      if (vector.values) return valueMismatch(first, vector.values, keyMap);
      if (vector.notNullOnly) return null;
      const rich = Object.keys(first.attributes).length > 0 || first.alarms.length > 0 || first.network !== undefined;
      return rich ? null : 'expected attributes, got an empty record';
    }
    default:
      return `unknown expectation ${vector.expect}`;
  }
}

module.exports = { loadVectors, makeConnection, emptyOutput, checkExpectation, valueMismatch, SESSION_TYPES };
