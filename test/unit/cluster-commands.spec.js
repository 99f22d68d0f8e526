'use strict';
// The cluster's queued-command protocol (src/server/cluster-commands.ts) without MQTT: instances exchange its
// messages through a model of the broker that keeps each publisher's order and nothing else (messages from
// different instances interleave at random), while the device moves between instances. A command is written
// at most once at every step, and exactly once when the device settles somewhere.
const assert = require('node:assert/strict');
const fc = require('fast-check');
const { OfferExchange, OfferBook, OfferDesk } = require('../../dist/index.js');

const RUNS = Number(process.env.PROPERTY_RUNS || 300);
const DEVICE = '860000000000001';

/** n instances a, b, c... (run "r1") around a broker model; `live` decides which lives still run. */
function cluster(n) {
  const names = 'abcdefgh'.slice(0, n).split('');
  const world = {
    names,
    at: undefined, // index of the instance the device is connected to
    written: new Map(), // command id -> times written to the device
    queues: new Map(), // "to<from" -> pending deliveries, in the publisher's order
    dead: new Set(), // ended lives "name/run"
    runs: names.map(() => 'r1'),
  };
  const index = (name) => names.indexOf(name);
  const push = (to, from, fn) => {
    const key = `${to}<${from}`;
    if (!world.queues.has(key)) world.queues.set(key, []);
    world.queues.get(key).push(fn);
  };
  const clone = (o) => JSON.parse(JSON.stringify(o));
  const status = (i, offer) => {
    const issuer = index(offer.issuer);
    if (issuer === i) world.ex[i].settled(offer.id);
    else push(issuer, i, () => world.ex[issuer].settled(offer.id));
  };
  world.ex = names.map((name, i) => {
    const io = {
      publish(offer) {
        const copy = clone(offer);
        for (let j = 0; j < n; j++) push(j, i, () => world.ex[j].offer(clone(copy)));
      },
      withdraw(offer) {
        for (let j = 0; j < n; j++) push(j, i, () => world.ex[j].withdrawn(offer.deviceId, offer.id));
      },
      send(issuer, message) {
        const j = index(issuer);
        const copy = clone(message);
        push(j, i, () => world.ex[j].inbox(copy));
      },
      deliver(offer) {
        assert.equal(world.at, i, `${name} wrote ${offer.id} to a device that is not connected to it`);
        const times = (world.written.get(offer.id) ?? 0) + 1;
        world.written.set(offer.id, times);
        assert.equal(times, 1, `${offer.id} written ${times} times`);
        status(i, offer);
      },
      report(offer) {
        status(i, offer);
      },
    };
    return new OfferExchange(
      { instance: name, run: 'r1' },
      (ref) =>
        index(ref.instance) >= 0 &&
        ref.run === world.runs[index(ref.instance)] &&
        !world.dead.has(`${ref.instance}/${ref.run}`),
      (deviceId) => deviceId === DEVICE && world.at === i,
      io,
    );
  });
  /** Delivers the head of the `k`-th non-empty queue; false when all are empty. */
  world.step = (k) => {
    const busy = [...world.queues.values()].filter((q) => q.length);
    if (!busy.length) return false;
    busy[k % busy.length].shift()();
    return true;
  };
  world.drain = (choices = []) => {
    let i = 0;
    while (world.step(choices[i++ % Math.max(1, choices.length)] ?? 0));
  };
  world.move = (to) => {
    world.at = to;
    if (to !== undefined) world.ex[to].arrived(DEVICE);
  };
  world.issue = (from, id, ttl = 1e12) => {
    const holder = world.at === undefined ? undefined : { instance: names[world.at], run: 'r1' };
    return world.ex[from].issue(
      { id, deviceId: DEVICE, command: { type: 'engineStop' }, createdAt: 0, expiresAt: ttl },
      holder,
    );
  };
  return world;
}

describe('cluster commands: delivered once (model of the broker, random interleavings)', () => {
  it('a command to a device connected elsewhere is pre-granted and written once', () => {
    const w = cluster(2);
    w.move(1);
    w.issue(0, 'c1');
    w.drain();
    assert.equal(w.written.get('c1'), 1);
    assert.equal(w.ex[0].book.size, 0, 'the issuer withdrew it');
    assert.equal(w.ex[1].desk.size, 0);
  });

  it('a queued command follows the device to whichever instance it reconnects to', () => {
    const w = cluster(3);
    w.issue(0, 'c1');
    w.drain();
    assert.equal(w.written.size, 0, 'nobody holds the device');
    w.move(2);
    w.drain();
    assert.equal(w.written.get('c1'), 1);
    assert.equal(w.ex[0].book.size, 0);
  });

  it('a grantee without the device gives it back; the holder gets it', () => {
    const w = cluster(3);
    w.move(1);
    w.issue(0, 'c1'); // pre-granted to b
    w.move(2); // the device is on c before b sees the grant
    w.drain();
    assert.equal(w.written.get('c1'), 1);
  });

  it('a grant held by a life that ended goes back (at least once then, never lost)', () => {
    const w = cluster(3);
    w.move(1);
    w.issue(0, 'c1'); // granted to b, which dies before it sees the grant
    w.queues.delete('1<0');
    w.move(2);
    w.drain();
    assert.equal(w.written.size, 0, 'c’s claim is refused while b’s life runs');
    w.dead.add('b/r1'); // b's last will
    w.ex[0].lifeEnded();
    w.drain();
    assert.equal(w.written.get('c1'), 1);
  });

  it('an expired offer nobody is delivering is withdrawn everywhere', () => {
    const w = cluster(2);
    w.issue(0, 'c1', 1000);
    w.drain();
    assert.equal(w.ex[1].desk.size, 1);
    assert.deepEqual(
      w.ex[0].expire(999).map((o) => o.id),
      [],
    );
    assert.deepEqual(
      w.ex[0].expire(1000).map((o) => o.id),
      ['c1'],
    );
    w.drain();
    assert.equal(w.ex[1].desk.size, 0);
  });

  it('property: at most once at every step, exactly once when the device settles, any interleaving', () => {
    const step = fc.oneof(
      { weight: 8, arbitrary: fc.nat().map((k) => ({ deliver: k })) },
      { weight: 1, arbitrary: fc.integer({ min: -1, max: 3 }).map((to) => ({ move: to })) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 }).map((from) => ({ issue: from })) },
    );
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 20, maxLength: 300 }),
        fc.nat(3),
        fc.array(fc.nat(), { maxLength: 50 }),
        (steps, last, order) => {
          const w = cluster(4);
          const issued = [];
          for (const s of steps) {
            if ('deliver' in s) w.step(s.deliver);
            else if ('move' in s) w.move(s.move < 0 ? undefined : s.move);
            else if (w.at !== s.issue) {
              const id = `c${issued.length}`;
              w.issue(s.issue, id);
              issued.push(id);
            }
          }
          w.move(last);
          w.drain(order);
          for (const id of issued) assert.equal(w.written.get(id), 1, `${id} written ${w.written.get(id) ?? 0} times`);
          for (const ex of w.ex) assert.equal(ex.book.size, 0, 'every offer settled');
          for (const ex of w.ex) assert.equal(ex.desk.size, 0, 'and withdrawn everywhere');
        },
      ),
      { seed: 20261208, numRuns: RUNS },
    );
  });
});

describe('cluster commands: the issuer’s book', () => {
  const me = { instance: 'a', run: 'r1' };
  const live = new Set(['b/r1', 'c/r1']);
  const isLive = (r) => live.has(`${r.instance}/${r.run}`);
  const base = { id: 'x', deviceId: DEVICE, command: { type: 'reboot' }, createdAt: 0, expiresAt: 10 };

  it('grants to one live life at a time, numbers the grants, and reopens on release', () => {
    const book = new OfferBook(me, isLive);
    book.issue(base);
    assert.equal(book.claim('x', { instance: 'b', run: 'r1' }).grant.seq, 1);
    assert.equal(book.claim('x', { instance: 'c', run: 'r1' }), undefined, 'b holds it');
    assert.equal(book.claim('x', { instance: 'b', run: 'r1' }).grant.seq, 1, 'a repeated claim gets it again');
    assert.equal(book.release('x', 2, { instance: 'b', run: 'r1' }), undefined, 'not that grant');
    assert.equal(book.release('x', 1, { instance: 'c', run: 'r1' }), undefined, 'not c’s to give back');
    assert.equal(book.release('x', 1, { instance: 'b', run: 'r1' }).grant, undefined);
    assert.equal(book.claim('x', { instance: 'c', run: 'r1' }).grant.seq, 2);
  });

  it('a grant to a life that ended is revoked; an adopted offer keeps its grant count', () => {
    const book = new OfferBook(me, isLive);
    book.issue(base, { instance: 'b', run: 'r0' }); // an old life of b
    assert.equal(book.claim('x', { instance: 'c', run: 'r1' }).grant.seq, 2);
    const after = new OfferBook(me, isLive);
    after.adopt({ v: 1, ...base, issuer: 'a', grants: 5 });
    after.adopt({ v: 1, ...base, id: 'y', issuer: 'z', grants: 0 });
    assert.equal(after.size, 1, 'only its own');
    assert.equal(after.claim('x', { instance: 'b', run: 'r1' }).grant.seq, 6);
    assert.deepEqual(after.revokeDead(), []);
  });

  it('a desk claims what it can deliver, delivers only its own grant, once, and releases what it cannot', () => {
    let here = true;
    const desk = new OfferDesk({ instance: 'b', run: 'r1' }, () => here);
    const offer = { v: 1, ...base, issuer: 'a', grants: 0 };
    assert.equal(desk.seen(offer).kind, 'claim');
    assert.equal(desk.seen({ ...offer, grant: { instance: 'c', run: 'r1', seq: 1 } }).kind, 'claim');
    assert.equal(desk.seen({ ...offer, grant: { instance: 'b', run: 'r0', seq: 2 } }).kind, 'claim');
    assert.equal(desk.seen({ ...offer, grant: { instance: 'b', run: 'r1', seq: 3 } }).kind, 'deliver');
    assert.equal(desk.seen({ ...offer, grant: { instance: 'b', run: 'r1', seq: 3 } }).kind, 'report');
    here = false;
    const other = { ...offer, id: 'y', grant: { instance: 'b', run: 'r1', seq: 1 } };
    assert.deepEqual(desk.seen(other), { kind: 'release', offer: other, seq: 1 });
    here = true;
    assert.equal(desk.seen(other), undefined, 'a released grant is never used');
    assert.equal(desk.waiting(DEVICE), 2);
  });
});
