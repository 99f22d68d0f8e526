'use strict';
// Per-device state under a flood of made-up device IDs: the known-device list of the command queue (with a real
// JSON file store on a temp dir) and the device event tracker forget the least recently SEEN device first, and a
// new ID costs the same whether 1,000 or 30,000 are known (counted, not timed).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { CommandQueue, JsonFileStore, DeviceEventTracker } = require('../../dist/index.js');

/** The real file store, counting the device entries it is handed to serialise. */
class CountingStore extends JsonFileStore {
  saves = 0;
  entries = 0;
  save(state) {
    this.saves++;
    this.entries += state.devices.length;
    super.save(state);
  }
}

const imei = (i) => String(860000000000000 + i);

describe('known devices under an ID flood', () => {
  let dir;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'known-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const queue = (store, maxKnownDevices = 100000) =>
    new CommandQueue({ maxPerDevice: 5, answerTimeoutMs: 1000, maxKnownDevices, store });

  it('evicts the least recently seen device, not the first seen', () => {
    const q = queue(undefined, 3);
    q.remember('A', 'gt06', 1);
    q.remember('B', 'gt06', 2);
    q.remember('C', 'gt06', 3);
    q.remember('A', 'gt06', 4); // A again: now B is the one seen longest ago
    q.remember('D', 'gt06', 5);
    assert.equal(q.knownProtocol('B'), undefined);
    assert.equal(q.knownProtocol('A'), 'gt06');
    assert.equal(q.knownProtocol('C'), 'gt06');
    assert.equal(q.knownProtocol('D'), 'gt06');
    q.remember('E', 'gt06', 6);
    assert.equal(q.knownProtocol('C'), undefined, 'then C');
    assert.equal(q.knownProtocol('A'), 'gt06');
  });

  it('a new ID costs O(1) whatever the number known: device entries serialised per new ID, 1k vs 30k IDs', () => {
    const store = new CountingStore(path.join(dir, 'commands.json'), 10);
    const q = queue(store);
    const perBlock = [];
    let now = 1_000_000;
    for (let block = 0; block < 30; block++) {
      let inMessages = 0;
      for (let i = 0; i < 1000; i++) {
        const before = store.entries;
        q.remember(imei(block * 1000 + i), 'gt06', now);
        inMessages += store.entries - before;
        now += 1; // 1000 new IDs per second
        if (now % 1000 === 0) q.sweep(now); // the server's poll, once a second
      }
      perBlock.push(inMessages);
      // fail fast: rewriting the list per new ID makes block 30 cost 60x block 1 (O(n^2) in all)
      assert.ok(
        perBlock[block] <= 2 * perBlock[0] + 1000,
        `entries serialised while handling each block of 1000 new IDs: ${perBlock.join(', ')}`,
      );
    }
    // the list itself is saved from the poll, at most every 5 s of the clock: at most 7 saves in 30 s of flood
    assert.ok(store.saves <= 7, `${store.saves} saves`);
    q.flush();
    const saved = JSON.parse(fs.readFileSync(store.path, 'utf8'));
    assert.equal(saved.devices.length, 30000);
  });

  it('keeps the least-recently-seen order across a restart (saved on flush, lowered limit keeps the recent)', () => {
    const file = path.join(dir, 'commands.json');
    const q = queue(new JsonFileStore(file, 10));
    for (const id of ['A', 'B', 'C', 'D']) q.remember(id, 'gt06', 1);
    q.seen('A', 2); // traffic from A
    q.flush();
    assert.deepEqual(
      JSON.parse(fs.readFileSync(file, 'utf8')).devices.map((d) => d[0]),
      ['B', 'C', 'D', 'A'],
    );
    const again = queue(new JsonFileStore(file, 10), 2);
    assert.equal(again.knownProtocol('B'), undefined);
    assert.equal(again.knownProtocol('C'), undefined);
    assert.equal(again.knownProtocol('D'), 'gt06');
    assert.equal(again.knownProtocol('A'), 'gt06');
  });

  it('at its cap, forgets exactly what a plain least-recently-seen list would, over 200,000 random sightings', () => {
    // the model: a Map whose first key is read afresh each time (correct, but slow at scale: see src/lru.ts)
    const model = new Map();
    const file = path.join(dir, 'commands.json');
    const q = queue(new JsonFileStore(file, 10), 1000);
    let seed = 7;
    const random = (n) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 200000; i++) {
      const id = `d${random(5000)}`;
      const traffic = random(4) === 0; // traffic from a known device, else a login
      if (traffic) q.seen(id, i);
      else q.remember(id, 'gt06', i);
      if (traffic && !model.has(id)) continue; // traffic from a device not known: nothing to touch
      model.delete(id);
      model.set(id, i);
      if (model.size > 1000) model.delete(model.keys().next().value);
    }
    q.flush();
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')).devices.map((d) => d[0]);
    assert.deepEqual(saved, [...model.keys()]);
  });

  it('device events: the least recently seen device is forgotten first', () => {
    const t = new DeviceEventTracker({ maxDevices: 3 });
    const record = (deviceId, at) => ({
      deviceId,
      protocol: 'gt06',
      type: 'position',
      time: new Date(at).toISOString(),
      lat: 52.5,
      lon: 13.4,
      speed: 0,
      valid: true,
      alarms: [],
      attributes: {},
    });
    for (const [i, id] of ['A', 'B', 'C'].entries()) t.update(record(id, 1000 * i), 1000 * i);
    t.update(record('A', 4000), 4000);
    t.update(record('D', 5000), 5000);
    assert.equal(t.deviceState('B'), undefined);
    assert.notEqual(t.deviceState('A'), undefined);
  });
});
