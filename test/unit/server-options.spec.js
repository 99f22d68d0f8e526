'use strict';
const assert = require('node:assert/strict');
const { TrackerServer } = require('../../dist/index.js');

// Every integer setting is checked when the server is made, never later on a device's traffic.
describe('server options', () => {
  const integers = {
    port: [0, 65535],
    idleTimeout: [1, 604800],
    maxConnections: [1, 1_000_000],
    maxUdpPeers: [1, 1_000_000],
    maxUdpAddresses: [1, 1_000_000],
    maxJunkBytes: [0, 1024 ** 3],
    udpRateLimit: [1, 1_000_000],
    reassemblyTimeout: [1, 3600],
  };
  for (const [name, [min, max]] of Object.entries(integers)) {
    it(`${name}: ${min} to ${max}, an integer; anything else is a RangeError naming it`, () => {
      for (const bad of [min - 1, max + 1, min + 0.5, '10']) {
        assert.throws(() => new TrackerServer({ [name]: bad }), {
          name: 'RangeError',
          message: new RegExp(`^${name} must be an integer from ${min} to ${max}`),
        });
      }
      for (const good of [min, max]) assert.doesNotThrow(() => new TrackerServer({ [name]: good }));
    });
  }
});
