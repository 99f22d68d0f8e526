'use strict';
// Loads the Traccar conformance vectors copied into test/fixtures/traccar (see the NOTICE there).
const path = require('node:path');

function loadVectors(protocol) {
  return require(path.join(__dirname, '..', 'fixtures', 'traccar', `${protocol}.json`));
}

/** A Connection as the session would build it, for driving a codec directly with decode vectors. */
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
  return { messages: [], replies: [], errors: [] };
}

module.exports = { loadVectors, makeConnection, emptyOutput };
