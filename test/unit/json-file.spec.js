'use strict';
// JsonFile (state files of the command queue and tracker-in) on a real temp dir: a timed write of a large state runs
// in slices between which other work runs (watched as its temp file growing across event-loop turns, not timed),
// writes what JSON.stringify would, and never overwrites a newer flush or outlives a remove.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { JsonFile, DeviceEventTracker } = require('../../dist/index.js');

const turn = () => new Promise((r) => setImmediate(r));

/** Waits (a bounded number of event-loop turns) until a background write's temp file is in `dir`. */
async function backgroundWriteUnderWay(dir) {
  for (let i = 0; i < 100000; i++) {
    if (fs.readdirSync(dir).some((f) => f.endsWith('.tmp'))) return;
    await turn();
  }
  assert.fail('no background write: no temp file seen');
}

/** A state like tracker-in's with `n` devices. */
function bigState(n) {
  const devices = {};
  for (let i = 0; i < n; i++)
    devices[`d${i}`] = { online: true, lastSeen: i, alarms: ['sos'], last: { lat: 52.5, lon: 13.4, t: i } };
  return { version: 1, devices };
}

describe('JsonFile: large states written in the background', function () {
  this.timeout(20000);
  let dir;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'json-file-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes 100,000 devices a slice at a time: the file grows across event-loop turns, then is renamed whole', async () => {
    const file = new JsonFile(path.join(dir, 'state.json'), 1);
    const state = bigState(100000);
    file.save(() => state);
    const sizes = new Set();
    let turns = 0;
    while (!fs.existsSync(file.path)) {
      await turn();
      turns++;
      const tmp = fs.readdirSync(dir).find((f) => f.endsWith('.tmp'));
      if (tmp) sizes.add(fs.statSync(path.join(dir, tmp)).size);
      assert.ok(turns < 1e6, 'written in the end');
    }
    assert.ok(sizes.size >= 3, `the temp file seen at ${sizes.size} sizes: written in one go`);
    assert.equal(fs.readFileSync(file.path, 'utf8'), JSON.stringify(state));
    assert.deepEqual(fs.readdirSync(dir), ['state.json'], 'no temp file left');
  });

  it('writes what JSON.stringify writes; Maps (two levels deep) as objects', async () => {
    const file = new JsonFile(path.join(dir, 'state.json'), 1);
    const state = {
      version: 1,
      skipped: undefined,
      f: () => 1,
      when: new Date(0),
      list: [1, undefined, 'x', { a: [1, { b: null }] }, () => 2],
      nested: { deep: { deeper: [1, 2, { x: undefined }] }, u: undefined },
      empty: {},
      none: [],
    };
    file.save(state);
    file.flush();
    assert.equal(fs.readFileSync(file.path, 'utf8'), JSON.stringify(state));
    const devices = new Map([
      ['a', { n: 1 }],
      ['b', { n: 2, gone: undefined }],
    ]);
    file.save({ version: 1, devices });
    while (!fs.readFileSync(file.path, 'utf8').includes('"devices"')) await turn();
    assert.equal(
      fs.readFileSync(file.path, 'utf8'),
      JSON.stringify({ version: 1, devices: Object.fromEntries(devices) }),
    );
  });

  it('a flush during a background write wins: the older state never replaces it', async () => {
    const file = new JsonFile(path.join(dir, 'state.json'), 1);
    file.save(bigState(100000));
    await backgroundWriteUnderWay(dir);
    file.save({ version: 1, devices: { newest: true } });
    file.flush();
    for (let i = 0; i < 200; i++) await turn(); // the background write's remaining slices
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(JSON.parse(fs.readFileSync(file.path, 'utf8')), { version: 1, devices: { newest: true } });
    assert.deepEqual(fs.readdirSync(dir), ['state.json']);
  });

  it('a remove during a background write leaves no file', async () => {
    const file = new JsonFile(path.join(dir, 'state.json'), 1);
    file.save(bigState(100000));
    await backgroundWriteUnderWay(dir);
    file.remove();
    for (let i = 0; i < 200; i++) await turn();
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it("tracker-in's events saved from the live map come back as they were", async () => {
    const events = new DeviceEventTracker({});
    for (let i = 0; i < 1000; i++)
      events.update(
        {
          deviceId: String(860000000000000 + i),
          protocol: 'gt06',
          type: 'position',
          time: new Date(1000 * i).toISOString(),
          lat: 52.5,
          lon: 13.4,
          speed: 0,
          valid: true,
          alarms: [],
          attributes: {},
        },
        1000 * i,
      );
    const file = new JsonFile(path.join(dir, 'events.json'), 1);
    file.save(() => events.liveSnapshot());
    while (!fs.existsSync(file.path)) await turn();
    assert.deepEqual(file.load(), JSON.parse(JSON.stringify(events.snapshot())));
    const again = new DeviceEventTracker({});
    again.restore(file.load());
    assert.deepEqual(again.snapshot(), events.snapshot());
  });
});
