'use strict';
// The one vocabulary: every alarm name, attribute key and record type a decoder emits is defined in
// src/vocabulary, with the value type it declares. Checked on every record the conformance vectors decode to.
const assert = require('node:assert/strict');
const { ALARMS, RECORD_TYPES, attributeSpec, PROTOCOLS } = require('../../dist/index.js');
const { runConformance } = require('../lib/conformance');

function typeOf(value) {
  if (Buffer.isBuffer(value)) return 'bytes';
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value;
}

describe('vocabulary', () => {
  for (const protocol of PROTOCOLS) {
    it(`${protocol}: every alarm, attribute and record type of the decoded vectors is defined, with its type`, () => {
      const records = [];
      runConformance(protocol, records);
      assert.ok(records.length > 10, `decoded only ${records.length} records`);
      const problems = new Set();
      for (const r of records) {
        if (!Object.hasOwn(RECORD_TYPES, r.type)) problems.add(`record type "${r.type}"`);
        for (const alarm of r.alarms) if (!Object.hasOwn(ALARMS, alarm)) problems.add(`alarm "${alarm}"`);
        for (const [key, value] of Object.entries(r.attributes)) {
          const spec = attributeSpec(key);
          if (!spec) {
            problems.add(`attribute "${key}"`);
            continue;
          }
          const got = typeOf(value);
          if (!spec.type.split('|').includes(got))
            problems.add(`attribute "${key}" is a ${got}, declared ${spec.type}`);
        }
      }
      assert.deepEqual([...problems], []);
    });
  }

  it('knows numbered families and refuses unknown keys', () => {
    assert.equal(attributeSpec('temp3').unit, '°C');
    assert.equal(attributeSpec('tag12Battery').unit, 'V');
    assert.equal(attributeSpec('io239').type, 'number|boolean|string');
    assert.equal(attributeSpec('tempX'), undefined);
    assert.equal(attributeSpec('tag1Unknown'), undefined);
    assert.equal(attributeSpec('madeUp'), undefined);
    assert.equal(attributeSpec('toString'), undefined);
  });
});
