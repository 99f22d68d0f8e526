'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { expandFlags, flagChanges, flagTables: T } = require('../../dist/index.js');

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
  const cases = [
    ['JT808 status', T.JT808_STATUS, (w) => expandFlags(record('jt808', { statusFlags: w })).groups.status],
    ['JT808 alarms', T.JT808_ALARMS, (w) => expandFlags(record('jt808', { alarmFlags: w })).groups.alarms],
    [
      'JT808 signals',
      T.JT808_SIGNALS,
      (w) => expandFlags(record('jt808', { statusFlags: 0, vehicleSignals: w })).groups.signals,
    ],
    ['GT06 terminal info', T.GT06_TERMINAL_INFO, (w) => expandFlags(record('gt06', { terminalInfo: w })).groups.status],
    [
      'JT701 status',
      T.JT701_STATUS,
      (w) => expandFlags(record('jt600', { status: w, statusFormat: 'jt701' })).groups.status,
    ],
    [
      'JT701 alarms',
      T.JT701_ALARMS,
      (w) => expandFlags(record('jt600', { status: w, statusFormat: 'jt701' })).groups.alarms,
    ],
    [
      'JT600 v2 status',
      T.JT600_V2_STATUS,
      (w) => expandFlags(record('jt600', { status: w, statusFormat: 'v2' })).groups.status,
    ],
    [
      'JT600 v2 alarms',
      T.JT600_V2_ALARMS,
      (w) => expandFlags(record('jt600', { status: w, statusFormat: 'v2' })).groups.alarms,
    ],
    [
      'JT600 v3 status',
      T.JT600_V3_STATUS,
      (w) => expandFlags(record('jt600', { status: w, statusFormat: 'v3' })).groups.status,
    ],
    ['VT600 system status', T.VT600_SYSTEM, (w) => expandFlags(record('vt600', { systemStatus: w })).groups.status],
    ['VT600 inputs', T.VT600_INPUTS, (w) => expandFlags(record('vt600', { inputs: w, outputs: 0 })).groups.io],
    ['VT600 outputs', T.VT600_OUTPUTS, (w) => expandFlags(record('vt600', { inputs: 0, outputs: w })).groups.io],
  ];
  for (const [title, table, flagsOf] of cases) {
    for (const { bit, name } of table.bits) {
      it(`${title}: bit ${bit} alone gives exactly "${name}"`, () => {
        assert.deepEqual(setNames(flagsOf(2 ** bit)), [name]);
      });
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
    for (const [code, name] of Object.entries(T.GT06_INFO_ALARMS)) {
      const f = expandFlags(record('gt06', { terminalInfo: Number(code) << 3 }));
      assert.deepEqual(setNames(f.groups.alarms), [name]);
      assert.deepEqual(setNames(f.groups.status), []);
    }
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

  it('ADAS, DSM, BSD and TPMS objects become named alarms with levels', () => {
    for (const [key, prefix, types] of [
      ['adas', 'adas', T.ADAS_TYPES],
      ['dsm', 'dsm', T.DSM_TYPES],
      ['bsd', 'bsd', T.BSD_TYPES],
    ]) {
      for (const [type, name] of Object.entries(types)) {
        const f = expandFlags(record('jt808', { attributes: { [key]: { alarmType: Number(type), alarmLevel: 2 } } }));
        assert.deepEqual(setNames(f.groups.alarms), [prefix + name[0].toUpperCase() + name.slice(1)]);
        if (key !== 'bsd') assert.equal(f.values[`${prefix}Level`], 2);
      }
    }
    for (const { bit, name } of T.TPMS_EVENTS.bits) {
      const f = expandFlags(record('jt808', { attributes: { tpms: { events: [{ eventType: 2 ** bit }] } } }));
      assert.deepEqual(setNames(f.groups.alarms), [`tpms${name[0].toUpperCase()}${name.slice(1)}`]);
    }
  });

  it('the node help lists every flag name', () => {
    const help = fs.readFileSync(
      path.join(__dirname, '..', '..', 'nodes', 'locales', 'en-US', 'tracker-flags.html'),
      'utf8',
    );
    const names = [
      ...[
        T.JT808_STATUS,
        T.JT808_ALARMS,
        T.JT808_SIGNALS,
        T.DATA_VALID,
        T.APP_STATUS,
        T.GT06_TERMINAL_INFO,
        T.JT701_STATUS,
        T.JT701_ALARMS,
        T.JT600_V2_STATUS,
        T.JT600_V2_ALARMS,
        T.JT600_V3_STATUS,
        T.VT600_SYSTEM,
      ].flatMap((t) => t.bits.map((b) => b.name)),
      ...Object.values(T.GT06_INFO_ALARMS),
    ];
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

  it('one-record alarms (named only in alarms) start on each appearance after an absence', () => {
    const gt = (alarms) => expandFlags(record('gt06', { alarms }));
    let s = flagChanges(undefined, gt(['hardBraking']));
    assert.deepEqual(s.edges, ['hardBrakingStarted']);
    s = flagChanges(s.next, gt(['hardBraking']));
    assert.deepEqual(s.edges, []);
    s = flagChanges(s.next, expandFlags(record('gt06', { terminalInfo: 0 })));
    assert.deepEqual(s.edges, []);
    s = flagChanges(s.next, gt(['hardBraking']));
    assert.deepEqual(s.edges, ['hardBrakingStarted']);
  });
});
