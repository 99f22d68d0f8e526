'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { expandFlags, flagChanges, CODECS, getCodec } = require('../../dist/index.js');

const record = (protocol, fields = {}) => ({
  protocol,
  deviceId: '1',
  type: 'position',
  time: '',
  receivedAt: '',
  alarms: [],
  attributes: {},
  ...fields,
});
const setNames = (obj) => Object.keys(obj).filter((k) => obj[k]);

describe('tracker flags: tables', () => {
  // Every table every protocol declares: each bit alone gives exactly its name, in its group (alone: the only
  // 1, or the only 0 in a negative-logic word).
  for (const [protocol, codec] of CODECS) {
    for (const table of codec.flags?.tables ?? []) {
      for (const { bit, name } of table.bits) {
        it(`${protocol} ${table.title}: bit ${bit} alone gives exactly "${name}"`, () => {
          const word = table.activeLow ? ~(2 ** bit) >>> 0 : 2 ** bit;
          const f = expandFlags(record(protocol, { [table.field]: word, ...table.when }));
          assert.deepEqual(setNames(f.groups[table.group]), [name]);
        });
      }
    }
  }

  it('JT808 bits with no name (load bits) give no status flag but the load value', () => {
    for (const [word, load, flags] of [
      [0, 'empty', []],
      [1 << 8, 'half', ['loadHalf']],
      [2 << 8, 'reserved', []],
      [3 << 8, 'full', ['loadFull']],
    ]) {
      const f = expandFlags(record('jt808', { statusFlags: word }));
      assert.equal(f.values.load, load);
      assert.deepEqual(setNames(f.groups.status), flags);
    }
  });

  it('GT06 terminal-info alarm field (bits 3-5) is one of six alarms', () => {
    const seen = [];
    for (let code = 0; code < 8; code++) {
      const f = expandFlags(record('gt06', { terminalInfo: code << 3 }));
      const on = setNames(f.groups.alarms);
      assert.ok(on.length <= 1, `code ${code}: ${on}`);
      assert.deepEqual(setNames(f.groups.status), []);
      seen.push(...on);
    }
    assert.deepEqual(seen.sort(), [...getCodec('gt06').flags.otherNames.alarms].sort());
    assert.deepEqual(seen.length, 6);
  });

  it('data-valid flags say which fields a record carries', () => {
    const f = expandFlags(
      record('jt808', { statusFlags: 2, lat: 1, lon: 2, speed: 0, satellites: 7, attributes: { odometer: 5 } }),
    );
    assert.deepEqual(setNames(f.groups.valid), ['position', 'speed', 'satellites', 'deviceMileage', 'status']);
    assert.equal(f.groups.app.supplementary, false);
    const archived = expandFlags(record('jt808', { statusFlags: 0, attributes: { archive: true } }));
    assert.equal(archived.groups.app.supplementary, true);
  });

  it('ADAS, DSM, BSD and TPMS objects become named alarms with levels, each name declared', () => {
    const seen = new Set();
    for (const key of ['adas', 'dsm', 'bsd']) {
      for (let type = 0; type < 32; type++) {
        const f = expandFlags(record('jt808', { attributes: { [key]: { alarmType: type, alarmLevel: 2 } } }));
        const on = setNames(f.groups.alarms);
        assert.ok(on.length <= 1 && on.every((n) => n.startsWith(key)), `${key} ${type}: ${on}`);
        for (const n of on) seen.add(n);
        if (key !== 'bsd') assert.equal(f.values[`${key}Level`], 2);
      }
    }
    for (let bit = 0; bit < 16; bit++) {
      const f = expandFlags(record('jt808', { attributes: { tpms: { events: [{ eventType: 2 ** bit }] } } }));
      for (const n of setNames(f.groups.alarms)) seen.add(n);
    }
    assert.ok(seen.has('adasForwardCollision') && seen.has('dsmPhoneCall') && seen.has('tpmsLowBattery'));
    assert.deepEqual([...seen].sort(), [...getCodec('jt808').flags.otherNames.alarms].sort());
  });

  it('the node help lists every flag name of every protocol', () => {
    const help = fs.readFileSync(
      path.join(__dirname, '..', '..', 'nodes', 'locales', 'en-US', 'tracker-flags.html'),
      'utf8',
    );
    const names = new Set();
    for (const codec of CODECS.values()) {
      for (const t of codec.flags?.tables ?? []) for (const b of t.bits) names.add(b.name);
      for (const list of Object.values(codec.flags?.otherNames ?? {})) for (const n of list) names.add(n);
    }
    assert.ok(names.size > 100);
    for (const n of names) assert.ok(help.includes(`<code>${n}</code>`), `${n} missing from the help`);
  });

  it('real JT600 and VT600 records expand: a JT701 power cut, VT600 ignition on input 2', () => {
    const { createSession } = require('../../dist/index.js');
    const V = require('../fixtures/traccar/jt600.json');
    const [jt701] = createSession().push(Buffer.from(V.decode.find((v) => v.seq === 5).hex, 'hex')).messages;
    const f = expandFlags(jt701);
    assert.equal(f.groups.status.ackRequested, true);
    const W = require('../fixtures/traccar/vt600.json');
    const [vt] = createSession().push(Buffer.from(W.decode.find((v) => v.seq === 2).hex, 'hex')).messages;
    const g = expandFlags(vt);
    assert.equal(g.groups.status.gpsValid, true);
    assert.equal(g.groups.io.input2, false);
  });

  it('a record without bitfields or alarms is not expanded', () => {
    assert.equal(expandFlags(record('gt06')), undefined);
    assert.equal(expandFlags({ hello: 'world' }), undefined);
    assert.equal(expandFlags(null), undefined);
  });
});

describe('tracker flags: edges', () => {
  const jt = (alarmFlags, statusFlags) => expandFlags(record('jt808', { alarmFlags, statusFlags }));

  it('a held alarm starts once and ends once', () => {
    let s = flagChanges(undefined, jt(2, 0)); // overspeed
    assert.deepEqual(s.edges, ['overspeedStarted']);
    s = flagChanges(s.next, jt(2, 0));
    assert.deepEqual(s.edges, []);
    s = flagChanges(s.next, jt(0, 0));
    assert.deepEqual(s.edges, ['overspeedEnded']);
    assert.deepEqual(s.changed, { alarms: { overspeed: false } });
  });

  it('a latched alarm (SOS) only starts: the terminal clears it after the reply', () => {
    let s = flagChanges(undefined, jt(1, 1));
    assert.deepEqual(s.edges.sort(), ['accOn', 'sosStarted']);
    s = flagChanges(s.next, jt(1, 1));
    assert.deepEqual(s.edges, []);
    s = flagChanges(s.next, jt(0, 1));
    assert.deepEqual(s.edges, []);
    s = flagChanges(s.next, jt(1, 0));
    assert.deepEqual(s.edges.sort(), ['accOff', 'sosStarted']);
  });

  it('state protocols: one-record alarms (named only in alarms) start on each appearance after an absence', () => {
    const jt = (alarms) => expandFlags(record('jt808', { alarms }));
    let s = flagChanges(undefined, jt(['hardBraking']));
    assert.deepEqual(s.edges, ['hardBrakingStarted']);
    s = flagChanges(s.next, jt(['hardBraking']));
    assert.deepEqual(s.edges, []);
    s = flagChanges(s.next, expandFlags(record('jt808', { alarmFlags: 0 })));
    assert.deepEqual(s.edges, []);
    s = flagChanges(s.next, jt(['hardBraking']));
    assert.deepEqual(s.edges, ['hardBrakingStarted']);
  });

  it('event protocols (GT06, VT600): every record that names an alarm starts it; none ever ends', () => {
    for (const [protocol, word] of [
      ['gt06', { terminalInfo: 0 }],
      ['vt600', { systemStatus: 0 }],
    ]) {
      const named = (alarms) => expandFlags(record(protocol, { alarms, ...word }));
      let s = flagChanges(undefined, named(['sos']));
      assert.deepEqual(s.edges, ['sosStarted'], protocol);
      s = flagChanges(s.next, named(['sos'])); // a second press, whenever it comes
      assert.deepEqual(s.edges, ['sosStarted'], protocol);
      s = flagChanges(s.next, named([]));
      assert.deepEqual(s.edges, [], protocol);
    }
  });
});
