'use strict';
// Impossible values from a device (coordinates outside ±90/±180, dates that do not exist), in every protocol:
// never a fix, never a silent substitute; the record keeps the rest of its content and an error says what happened.
const assert = require('node:assert/strict');
const { createSession, sum8 } = require('../../dist/index.js');
const { crc16 } = require('../lib/crc');
const { gt06Position } = require('../lib/gt06');
const J = require('../lib/jt808');
const F = require('../fixtures/gt06-frames');
const VT = require('../fixtures/traccar/vt600.json');
const T = require('../lib/teltonika');

const NOW = Date.UTC(2024, 0, 2, 3, 4, 5);

/** The records of the frames pushed after `first`, and every error along the way. */
function decode(protocol, first, frame) {
  const s = createSession({ protocol, now: () => NOW });
  if (first) s.push(first);
  const r = s.push(frame);
  return { ...r, stats: s.stats };
}

function gt06(patch) {
  const f = gt06Position({ lat: 52.5, lon: 13.4, time: '2024-01-02T03:00:00Z' }, 7);
  patch(f);
  f.writeUInt16BE(crc16(f.subarray(2, f.length - 4)), f.length - 4);
  return f;
}

function vt600(text) {
  const body = Buffer.from(text, 'latin1');
  const sum = sum8(body).toString(16).toUpperCase().padStart(2, '0');
  return Buffer.from(`${text}${sum}\r\n`, 'latin1');
}
const h02Text = (position, date) =>
  Buffer.from(`*HQ,4106011660,V1,030000,A,${position},0.00,0,${date},FFFFFBFF#`, 'latin1');
const gps103Report = (local, position) =>
  Buffer.from(`imei:359586015829802,tracker,${local},,F,030405.000,${position},0.00,0;`, 'latin1');
const vtText = (lat) => VT.decode[2].text.replace('22.678598', lat).replace(/[0-9A-F]{2}\r?\n?$/, '');

const CASES = {
  gt06: {
    coordinates: () =>
      decode(
        'gt06',
        Buffer.from(F.LOGIN, 'hex'),
        gt06((f) => f.writeUInt32BE(95 * 1800000, 11)),
      ),
    date: () =>
      decode(
        'gt06',
        Buffer.from(F.LOGIN, 'hex'),
        gt06((f) => (f[5] = 13)),
      ),
  },
  jt808: {
    coordinates: () => decode('jt808', null, J.frame({ msgId: 0x0200, body: J.locationBody({ lat: 95 }) })),
    date: () => decode('jt808', null, J.frame({ msgId: 0x0200, body: J.locationBody({ time: '241302110405' }) })),
  },
  jt600: {
    coordinates: () =>
      decode(
        'jt600',
        null,
        Buffer.from(
          '(3301210003,U01,040812,185302,T,95.564025,N,113.242329,E,5.21,152,9,32%,00000000000011,10133,5173,22,100,1)',
        ),
      ),
    date: () =>
      decode(
        'jt600',
        null,
        Buffer.from(
          '(3301210003,U01,041312,185302,T,22.564025,N,113.242329,E,5.21,152,9,32%,00000000000011,10133,5173,22,100,1)',
        ),
      ),
  },
  vt600: {
    coordinates: () => decode('vt600', null, vt600(vtText('95.678598'))),
    date: () => decode('vt600', null, vt600(vtText('22.678598').replace('230918072531', '231318072531'))),
  },
  h02: {
    coordinates: () => decode('h02', null, h02Text('9530.0000,N,01324.0000,E', '020124')),
    date: () => decode('h02', null, h02Text('5230.0000,N,01324.0000,E', '021324')),
  },
  gps103: {
    coordinates: () => decode('gps103', null, gps103Report('2401020304', 'A,9530.0000,N,01324.0000,E')),
    date: () => decode('gps103', null, gps103Report('2413020304', 'A,5230.0000,N,01324.0000,E')),
  },
  teltonika: {
    coordinates: () => decode('teltonika', T.login(), T.avl([{ lat: 95 }])),
    // milliseconds since 1970 beyond the year 275760
    date: () => decode('teltonika', T.login(), T.avl([{ time: 2 ** 62 }])),
  },
};

describe('impossible values, every protocol', () => {
  for (const [protocol, c] of Object.entries(CASES)) {
    it(`${protocol}: a coordinate outside ±90/±180 is no fix; the record stays, without a location, and is reported`, () => {
      const r = c.coordinates();
      const [m] = r.messages;
      assert.ok(m, 'the record is kept');
      assert.equal(m.lat, undefined);
      assert.equal(m.lon, undefined);
      assert.equal(m.valid, false);
      assert.notEqual(m.type, 'position');
      assert.ok(
        r.errors.some((e) => /impossible coordinates/.test(e.message)),
        JSON.stringify(r.errors),
      );
    });

    it(`${protocol}: a date that does not exist becomes the receive time, reported`, () => {
      const r = c.date();
      const [m] = r.messages;
      assert.ok(m, 'the record is kept');
      assert.equal(m.time, new Date(NOW).toISOString());
      assert.ok(
        r.errors.some((e) => /date that does not exist/.test(e.message)),
        JSON.stringify(r.errors),
      );
      assert.equal(m.lat !== undefined, true, 'the position itself is fine');
    });
  }
});
