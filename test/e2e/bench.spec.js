'use strict';
// The benchmark suite runs end to end on a tiny load. No timing is asserted here: figures come from
// `npm run bench` (BENCHMARKS.md); this only proves the suite works and every section produces numbers.
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

describe('benchmark suite (smoke run)', function () {
  this.timeout(120000);
  it('writes every section with figures', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-')), 'BENCHMARKS.md');
    execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'bench', 'run.js'), '--quick', '--out', out]);
    const md = fs.readFileSync(out, 'utf8');
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
    for (const section of [
      'Decode throughput',
      'Adversarial input',
      'Ingestion through the server',
      'HTTP ingestion',
      'Memory per connected device',
      'ACK latency',
      'ID flood through Node-RED',
      'Cluster mode',
      'Targets',
    ])
      assert.match(md, new RegExp(`## ${section}`));
    assert.match(md, /\| gt06 location \| single \| [\d,]+ \| [\d,]+ \| [\d,]+ \(gt06-parser\) \| [\d.]+× \|/);
    assert.match(md, /\| teltonika avl \| single \| [\d,]+ \| [\d,]+ \| [\d,]+ \(teltonika-parser\) \| [\d.]+× \|/);
    assert.match(
      md,
      /\| TrackerServer \(replies checked byte for byte\) \| [\d,]+ \| 0 \|/,
      'no wrong replies under load',
    );
    assert.match(md, /\| TrackerServer \| [\d.]+ KiB \|/);
    assert.match(md, /\| detecting \(no protocol known yet\) \| [\d,.]+ MB\/s \| `[0-9a-f ]+`.* \| [\d,.]+ MB\/s \|/);
    assert.match(
      md,
      /\| through HAProxy \(`send-proxy-v2`\) \| [\d,]+ \| 0 \||Skipped: .* not installed/,
      'the cluster rows, or why they are missing',
    );
    assert.match(md, /\| \d+ IDs, reused \| [\d,]+ \| [\d.]+ ms \|/, 'the ID flood rows');
    assert.match(md, /\| TrackerServer \(detection, handover[^|]*\| [\d,]+ \| 0 \|/, 'phones answered 200, none wrong');
  });
});
