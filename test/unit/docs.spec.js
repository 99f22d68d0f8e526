'use strict';
// The README's command tables, the node help's command and flag lists and docs/vocabulary.md are generated from
// the code's declarations (scripts/docs.js): they must match what the code declares now.
const assert = require('node:assert/strict');
const { outdated } = require('../../scripts/docs.js');

describe('generated docs', () => {
  it('README, node help and docs/vocabulary.md match the declarations (npm run docs rewrites them)', () => {
    assert.deepEqual(outdated(false), []);
  });
});
