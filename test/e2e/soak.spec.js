'use strict';
// `npm run soak` in miniature: Node-RED under honest simulated devices and the attacks it already withstands (made-up
// IDs, junk connections), 15 s. The soak's exit code is its verdict (nothing lost or answered wrongly, honest p99 ACK
// latency under 50 ms): this keeps the script working; the long runs with the whole attacker mix are `npm run soak`.
// Latency is for benchmarks, not tests: here the limit is set far out of reach of a busy machine, and only losses and
// wrong answers decide.
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

describe('npm run soak (smoke run)', function () {
  this.timeout(120000);
  it('honest devices lose nothing under an ID flood and junk connections, and the soak says so', () => {
    const args = ['--minutes', '0.25', '--devices', '20', '--rate', '20', '--udp-devices', '2', '--p99-limit', '5000'];
    const r = spawnSync(
      process.execPath,
      [path.join(__dirname, '..', '..', 'scripts', 'soak.js'), ...args, '--attack', 'ids,junk', '--property-runs', '0'],
      { encoding: 'utf8', timeout: 110000 },
    );
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /all 22 honest devices up/);
    assert.match(
      r.stdout,
      /\[end, after the honest devices drained\] honest: sent \d+, acknowledged \d+, positions delivered \d+ .*lost 0, wrong 0/,
    );
    assert.match(r.stdout, /ids: \d+ sent/);
    assert.match(r.stdout, /honest devices: nothing lost, every answer right/);
  });
});
