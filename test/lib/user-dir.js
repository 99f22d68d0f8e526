'use strict';
// Root hooks: every test gets its own empty Node-RED user directory, so state files that nodes keep there
// (event state, geofence presence, command queues) never leak from one test into the next.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const helper = require('node-red-node-test-helper');

let userDir;
exports.mochaHooks = {
  beforeEach() {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nr-test-'));
    // keep what the spec set (helper.settings replaces), only the directory is new
    if (helper._RED) helper.settings({ ...(helper._settings || {}), userDir });
  },
  afterEach() {
    fs.rmSync(userDir, { recursive: true, force: true });
  },
};
