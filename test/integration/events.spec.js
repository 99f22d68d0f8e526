'use strict';
// Device events (tracker-in output 2) and tracker-geofence, in a real Node-RED runtime with a GT06 device on a
// real TCP socket, plus the pure trackers and zone parsing underneath.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const helper = require('node-red-node-test-helper');
const serverNode = require('../../nodes/tracker-server.js');
const inNode = require('../../nodes/tracker-in.js');
const geofenceNode = require('../../nodes/tracker-geofence.js');
const {
  DeviceEventTracker,
  GeofenceTracker,
  parseZones,
  zonesToGeoJson,
  insideZone,
  distance,
  destination,
} = require('../../dist');
const { tcpClient, delay, freePort } = require('../lib/clients');
const { listeningPort, record } = require('../lib/red');
const { gt06Position } = require('../lib/gt06');
const F = require('../fixtures/gt06-frames');

helper.init(require.resolve('node-red'));

const HOME = { name: 'home', type: 'circle', lat: '52.52', lon: '13.405', radius: '300' };
// A square park, about 550 m x 340 m, south-west of home.
const PARK = { name: 'park', type: 'polygon', points: '52.500,13.395 52.505,13.395 52.505,13.400 52.500,13.400' };

function flow(port, { inName = '', geoName = '' } = {}) {
  return [
    { id: 'f1', type: 'tab' },
    { id: 'srv', type: 'tracker-server', port, host: '127.0.0.1', tcp: true, udp: false },
    {
      id: 'in',
      z: 'f1',
      type: 'tracker-in',
      name: inName,
      server: 'srv',
      filter: 'positions',
      offlineAfter: '1',
      movingSpeed: '5',
      stopAfter: '0',
      speedLimit: '100',
      timeZone: 'Europe/Berlin',
      wires: [['out', 'geo'], ['events']],
    },
    {
      id: 'geo',
      z: 'f1',
      type: 'tracker-geofence',
      name: geoName,
      zones: [HOME, PARK],
      dwell: 0,
      wires: [['geo-out'], ['crossings']],
    },
    { id: 'out', z: 'f1', type: 'helper' },
    { id: 'events', z: 'f1', type: 'helper' },
    { id: 'geo-out', z: 'f1', type: 'helper' },
    { id: 'crossings', z: 'f1', type: 'helper' },
  ];
}

/** Positions one minute apart from 10:00 UTC. */
const at = (i) => new Date(Date.UTC(2026, 11, 1, 10, i)).toISOString();
const PATH = [
  { lat: 52.53, lon: 13.405, speed: 0, ignition: false }, // 0 outside, parked
  { lat: 52.5201, lon: 13.4051, speed: 30, ignition: true }, // 1 into home
  { lat: 52.5199, lon: 13.4049, speed: 30, ignition: true }, // 2 still home
  { lat: 52.51, lon: 13.405, speed: 120, ignition: true }, // 3 out of home, speeding
  { lat: 52.5025, lon: 13.3975, speed: 40, ignition: true }, // 4 into park
  { lat: 52.5026, lon: 13.3976, speed: 35, ignition: true }, // 5 still park
  { lat: 52.49, lon: 13.39, speed: 0, ignition: false }, // 6 out of park, stopped, ignition off
];

describe('device events and geofences in Node-RED', function () {
  this.timeout(15000);
  let userDir;
  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(() => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nr-events-'));
    helper.settings({ userDir });
  });
  afterEach(async () => {
    await helper.unload();
    helper.settings({});
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('a GT06 device crossing a circle and a polygon: one enter and one exit each, across a full redeploy', async () => {
    const port = await freePort();
    await helper.load([serverNode, inNode, geofenceNode], flow(port));
    await listeningPort();
    let seen = record('events', 'geo-out', 'crossings');
    let c = await tcpClient(port);
    c.write(F.LOGIN);
    await c.waitFor(10);
    const send = async (i) => {
      const before = c.received.length;
      c.write(gt06Position({ ...PATH[i], time: at(i) }, i + 2));
      await c.waitFor(before + 10);
    };
    for (const i of [0, 1]) await send(i);
    await delay(100);
    const firstCrossings = seen.crossings.map((m) => m.payload);
    assert.deepEqual(
      firstCrossings.map((e) => [e.event, e.zone, e.deviceId, e.time]),
      [['geofenceEnter', 'home', F.IMEI, at(1)]],
    );
    assert.deepEqual(
      seen['geo-out'].map((m) => m.zones),
      [[], ['home']],
    );

    // Redeploy everything (server included): the device reconnects inside home and must not enter again.
    c.destroy();
    await helper.setFlows(flow(port, { inName: 'renamed', geoName: 'renamed' }), 'full');
    await listeningPort();
    const early = seen;
    seen = record('events', 'geo-out', 'crossings');
    c = await tcpClient(port);
    c.write(F.LOGIN);
    await c.waitFor(10);
    for (const i of [2, 3, 4, 5, 6]) await send(i);
    await delay(150);

    const crossings = [...early.crossings, ...seen.crossings].map((m) => [
      m.payload.event,
      m.payload.zone,
      m.payload.time,
    ]);
    assert.deepEqual(crossings, [
      ['geofenceEnter', 'home', at(1)],
      ['geofenceExit', 'home', at(3)],
      ['geofenceEnter', 'park', at(4)],
      ['geofenceExit', 'park', at(6)],
    ]);
    assert.deepEqual(
      seen['geo-out'].map((m) => m.zones),
      [['home'], [], ['park'], ['park'], []],
    );

    const events = [...early.events, ...seen.events].map((m) => m.payload);
    const named = (...names) => events.filter((e) => names.includes(e.event)).map((e) => [e.event, e.time]);
    assert.deepEqual(named('ignitionOn', 'ignitionOff'), [
      ['ignitionOn', at(1)],
      ['ignitionOff', at(6)],
    ]);
    assert.deepEqual(named('moving', 'stopped'), [
      ['moving', at(1)],
      ['stopped', at(6)],
    ]);
    assert.deepEqual(named('overspeed'), [['overspeed', at(3)]]);
    assert.equal(events.find((e) => e.event === 'overspeed').limit, 100);
    // online once at the first login; the redeploy kept the state, so the reconnection is not a new "online"
    assert.deepEqual(events.filter((e) => e.event === 'online').length, 1);
    for (const e of events) assert.equal(e.deviceId, F.IMEI);
  });

  it('offline after the timeout, online again on the next message, mileage in payload.derived', async () => {
    await helper.load([serverNode, inNode, geofenceNode], flow(0));
    const port = await listeningPort();
    const seen = record('events', 'out');
    const c = await tcpClient(port);
    c.write(F.LOGIN);
    await c.waitFor(10);
    c.write(gt06Position({ ...PATH[1], time: at(1) }, 2));
    c.write(gt06Position({ ...PATH[3], time: at(3) }, 3));
    await c.waitFor(30);
    await delay(1600); // offlineAfter is 1 s: silent since, though the TCP connection is still open
    assert.deepEqual(
      seen.events.map((m) => [m.payload.event, m.payload.reason]),
      [
        ['online', undefined],
        ['overspeed', undefined],
        ['offline', 'timeout'],
      ],
    );
    c.write(gt06Position({ ...PATH[4], time: at(4) }, 4));
    await c.waitFor(40);
    await delay(100);
    assert.deepEqual(
      seen.events.slice(3).map((m) => m.payload.event),
      ['online'],
    );
    // "went silent at": offline carries the last valid fix
    assert.deepEqual([seen.events[2].payload.lat, seen.events[2].payload.lon], [PATH[3].lat, PATH[3].lon]);

    const derived = seen.out.map((m) => m.payload.derived);
    const leg1 = distance(PATH[1], PATH[3]);
    const leg2 = distance(PATH[3], PATH[4]);
    assert.equal(derived[0].platformMileage, 0);
    assert.equal(derived[1].platformMileage, Math.round(leg1));
    assert.equal(derived[2].platformMileage, Math.round(leg1 + leg2));
    assert.equal(derived[2].curDayMileage, Math.round(leg1 + leg2));
    assert.equal(derived[2].driveTimeLen, 180); // moving since 10:01, now 10:04
    assert.equal(derived[2].stopDriveStartTime, null);
    assert.equal(derived[2].day, '2026-12-01');
  });

  it('zones set at runtime from GeoJSON replace nothing else and survive a restart; bad zones are refused', async () => {
    const f = flow(0);
    await helper.load([serverNode, inNode, geofenceNode], f);
    const geo = helper.getNode('geo');
    const seen = record('geo-out', 'crossings');
    const square = [
      [13.0, 52.0],
      [13.1, 52.0],
      [13.1, 52.1],
      [13.0, 52.1],
      [13.0, 52.0],
    ];
    geo.receive({
      topic: 'zones',
      payload: {
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', properties: { name: 'lake' }, geometry: { type: 'Polygon', coordinates: [square] } },
        ],
      },
    });
    const position = (lat, lon, t) => ({
      topic: 'dev1',
      payload: { deviceId: 'dev1', type: 'position', lat, lon, time: t },
    });
    geo.receive(position(52.05, 13.05, at(1)));
    geo.receive(position(52.5201, 13.4051, at(2)));
    await delay(50);
    assert.deepEqual(
      seen['geo-out'].map((m) => m.zones),
      [['lake'], ['home']],
    );
    assert.deepEqual(
      seen.crossings.map((m) => [m.payload.event, m.payload.zone]),
      [
        ['geofenceEnter', 'lake'],
        ['geofenceExit', 'lake'],
        ['geofenceEnter', 'home'],
      ],
    );

    const errors = [];
    geo.on('call:error', (call) => errors.push(String(call.args[0])));
    geo.receive({ topic: 'zones', payload: [{ name: 'bad', type: 'circle', lat: 95, lon: 0, radius: 10 }] });
    await delay(50);
    assert.match(errors[0], /bad latitude 95 is outside -90\.\.90/);

    // Garbage is passed on untouched (no zones, no crossing); a position without a device id is an error.
    const before = seen['geo-out'].length;
    geo.receive({ payload: 'junk' });
    geo.receive({ topic: 'dev1', payload: { deviceId: 'dev1', lat: '', lon: '' } });
    geo.receive({ topic: 'dev1', payload: { deviceId: 'dev1', lat: null, lon: null, time: at(2) } });
    geo.receive({ payload: { lat: 52.5201, lon: 13.4051 } });
    await delay(50);
    assert.deepEqual(
      seen['geo-out'].slice(before).map((m) => m.zones),
      [undefined, undefined, undefined],
    );
    assert.equal(seen.crossings.length, 3);
    assert.match(errors[1], /no device id/);

    // A restart (full stop, same user dir): runtime zone and presence in home both come back.
    await helper.unload();
    await helper.load([serverNode, inNode, geofenceNode], f);
    const seen2 = record('geo-out', 'crossings');
    const geo2 = helper.getNode('geo');
    geo2.receive(position(52.5202, 13.405, at(3)));
    geo2.receive(position(52.05, 13.05, at(4)));
    await delay(50);
    assert.deepEqual(
      seen2['geo-out'].map((m) => m.zones),
      [['home'], ['lake']],
    );
    assert.deepEqual(
      seen2.crossings.map((m) => [m.payload.event, m.payload.zone]),
      [
        ['geofenceExit', 'home'],
        ['geofenceEnter', 'lake'],
      ],
    );
  });
});

describe('geofence zones and crossings (pure)', () => {
  it('circles use the great-circle distance', () => {
    const centre = { lat: 60, lon: 25 };
    const zone = parseZones([{ name: 'c', type: 'circle', lat: 60, lon: 25, radius: 1000 }])[0];
    // 1000 m due east at 60°N is 0.018° of longitude, twice what a flat degree-based test would allow
    assert.equal(insideZone(destination(centre, 90, 990), zone), true);
    assert.equal(insideZone(destination(centre, 90, 1010), zone), false);
    assert.equal(insideZone(destination(centre, 0, 990), zone), true);
    // Paris to London, the textbook haversine figure: 343.5 km
    assert.equal(Math.round(distance({ lat: 48.8566, lon: 2.3522 }, { lat: 51.5074, lon: -0.1278 }) / 100) / 10, 343.6);
  });

  it('polygons across the antimeridian, GeoJSON holes and MultiPolygons, node-red-node-geofence shapes', () => {
    const fiji = parseZones([
      {
        name: 'fiji',
        type: 'polygon',
        points: [
          [-15, 177],
          [-15, -178],
          [-20, -178],
          [-20, 177],
        ],
      },
    ])[0];
    assert.equal(insideZone({ lat: -17, lon: 179.5 }, fiji), true);
    assert.equal(insideZone({ lat: -17, lon: -179.5 }, fiji), true);
    assert.equal(insideZone({ lat: -17, lon: 170 }, fiji), false);
    assert.equal(insideZone({ lat: -17, lon: -170 }, fiji), false);

    const ring = (x0, y0, x1, y1) => [
      [x0, y0],
      [x1, y0],
      [x1, y1],
      [x0, y1],
      [x0, y0],
    ];
    const [donut, islands, point] = parseZones({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { name: 'donut' },
          geometry: { type: 'Polygon', coordinates: [ring(0, 0, 10, 10), ring(4, 4, 6, 6)] },
        },
        {
          type: 'Feature',
          id: 'islands',
          geometry: { type: 'MultiPolygon', coordinates: [[ring(0, 0, 1, 1)], [ring(5, 5, 6, 6)]] },
        },
        {
          type: 'Feature',
          properties: { name: 'pin', radius: 50 },
          geometry: { type: 'Point', coordinates: [13.4, 52.5] },
        },
      ],
    });
    assert.equal(insideZone({ lat: 2, lon: 2 }, donut), true);
    assert.equal(insideZone({ lat: 5, lon: 5 }, donut), false); // in the hole
    assert.equal(islands.name, 'islands');
    assert.equal(insideZone({ lat: 5.5, lon: 5.5 }, islands), true);
    assert.equal(insideZone({ lat: 3, lon: 3 }, islands), false);
    assert.deepEqual(point, { name: 'pin', type: 'circle', lat: 52.5, lon: 13.4, radius: 50 });
    // and back: what tracker-geofence answers to "list zones" reads back as the same zones
    const back = parseZones(zonesToGeoJson([donut, islands, point]));
    assert.deepEqual(back, [donut, islands, point]);

    const [c, p] = parseZones([
      { name: 'a', mode: 'circle', centre: { latitude: 1, longitude: 2 }, radius: 10 },
      {
        name: 'b',
        mode: 'polyline',
        points: [
          { latitude: 0, longitude: 0 },
          { latitude: 0, longitude: 1 },
          { latitude: 1, longitude: 1 },
        ],
      },
    ]);
    assert.deepEqual(c, { name: 'a', type: 'circle', lat: 1, lon: 2, radius: 10 });
    assert.deepEqual(p.rings, [
      [
        [0, 0],
        [0, 1],
        [1, 1],
      ],
    ]);
  });

  it('refuses malformed zones with the zone and field at fault', () => {
    assert.throws(() => parseZones([{ name: 'x', type: 'circle', lat: 1, lon: 2 }]), /x radius must be a number/);
    assert.throws(() => parseZones([{ name: 'x', type: 'polygon', points: '1,2 3,4' }]), /at least 3 points/);
    assert.throws(() => parseZones([{ name: 'x', type: 'polygon', points: '1,2 3' }]), /latitude,longitude pairs/);
    assert.throws(() => parseZones([{ name: 'x', type: 'square' }]), /unknown zone type "square"/);
    assert.throws(() => parseZones([HOME, HOME]), /two zones are named "home"/);
    assert.throws(
      () =>
        parseZones({ type: 'Feature', properties: { name: 'l' }, geometry: { type: 'LineString', coordinates: [] } }),
      /LineString is not a zone/,
    );
    assert.throws(() => parseZones(42), /zones must be/);
  });

  it('dwell time: enter only after staying inside, no exit for a zone never entered', () => {
    const g = new GeofenceTracker(60);
    g.setZones(parseZones([HOME]));
    const t0 = Date.UTC(2026, 0, 1);
    assert.deepEqual(g.update('d', 52.52, 13.405, t0).events, []);
    assert.deepEqual(g.update('d', 52.52, 13.405, t0 + 30000).events, []);
    assert.deepEqual(g.update('d', 52.6, 13.405, t0 + 40000).events, []); // left before the dwell: nothing
    g.update('d', 52.52, 13.405, t0 + 50000);
    const [enter] = g.update('d', 52.52, 13.405, t0 + 110000).events;
    assert.equal(enter.event, 'geofenceEnter');
    assert.equal(enter.since, new Date(t0 + 50000).toISOString());
    const restored = new GeofenceTracker(60);
    restored.setZones(parseZones([HOME]));
    restored.restore(JSON.parse(JSON.stringify(g.snapshot())));
    assert.deepEqual(restored.update('d', 52.52, 13.405, t0 + 120000).events, []);
    assert.deepEqual(
      restored.update('d', 52.6, 13.405, t0 + 130000).events.map((e) => e.event),
      ['geofenceExit'],
    );
  });
});

describe('device event tracker (pure)', () => {
  const rec = (over) => ({
    protocol: 'gt06',
    deviceId: 'd',
    type: 'position',
    alarms: [],
    attributes: {},
    valid: true,
    ...over,
  });
  const t = (h, m = 0) => new Date(Date.UTC(2026, 11, 1, h, m)).toISOString();

  it('each new alarm once, with its position; heartbeats do not clear alarms', () => {
    const ev = new DeviceEventTracker();
    const now = Date.now();
    const alarms = (m) =>
      ev
        .update(rec(m), now)
        .events.filter((e) => e.event === 'alarm')
        .map((e) => [e.alarm, e.lat]);
    assert.deepEqual(alarms({ time: t(1), lat: 1, lon: 2, alarms: ['sos'] }), [['sos', 1]]);
    assert.deepEqual(alarms({ time: t(1, 1), lat: 1, lon: 2, alarms: ['sos', 'powerCut'] }), [['powerCut', 1]]);
    assert.deepEqual(alarms({ type: 'heartbeat', time: t(1, 2), alarms: [] }), []);
    assert.deepEqual(
      alarms({ type: 'heartbeat', time: t(1, 2), alarms: ['lowBattery'] }).map(([a]) => a),
      ['lowBattery'],
    );
    assert.deepEqual(alarms({ time: t(1, 3), lat: 1, lon: 2, alarms: ['sos', 'powerCut', 'lowBattery'] }), []);
    assert.deepEqual(alarms({ time: t(1, 4), lat: 1, lon: 2, alarms: [] }), []);
    assert.deepEqual(alarms({ time: t(1, 5), lat: 3, lon: 2, alarms: ['sos'] }), [['sos', 3]]);
  });

  it('daily figures restart at midnight in the chosen zone; drift while parked and bad jumps add nothing', () => {
    const ev = new DeviceEventTracker({ timeZone: 'Asia/Shanghai', stopAfter: 60 });
    const now = Date.now();
    const feed = (time, lat, speed, over = {}) => ev.update(rec({ time, lat, lon: 120, speed, ...over }), now).derived;
    feed(t(15, 50), 30.0, 50); // 23:50 in Shanghai
    const d1 = feed(t(15, 55), 30.05, 50);
    assert.equal(d1.day, '2026-12-01');
    assert.equal(d1.driveTimeLen, 300);
    const d2 = feed(t(16, 5), 30.1, 50); // 00:05 next day in Shanghai, still 2026-12-01 in UTC
    assert.equal(d2.day, '2026-12-02');
    const leg = distance({ lat: 30.05, lon: 120 }, { lat: 30.1, lon: 120 });
    assert.equal(d2.curDayMileage, Math.round(leg));
    assert.equal(d2.platformMileage, Math.round(distance({ lat: 30, lon: 120 }, { lat: 30.05, lon: 120 }) + leg));
    feed(t(16, 6), 30.1, 0); // stop begins
    const parked = feed(t(16, 8), 30.1001, 0); // GPS drift while parked, stop confirmed after 60 s
    assert.equal(parked.stopDriveStartTime, t(16, 6));
    const drift = feed(t(16, 9), 30.1002, 0);
    assert.equal(drift.platformMileage, parked.platformMileage);
    const jump = feed(t(16, 10), 40, 50); // 1100 km in a minute: a bad fix
    assert.equal(jump.platformMileage, parked.platformMileage);
    const archived = feed(t(16, 11), 41, 50, { attributes: { archive: true } });
    assert.equal(archived.platformMileage, parked.platformMileage);
  });

  it('remembers a bounded number of devices', () => {
    const ev = new DeviceEventTracker({ maxDevices: 3 });
    for (let i = 0; i < 10; i++)
      ev.update(rec({ deviceId: `d${i}`, time: t(3, i), lat: 1, lon: 1, speed: 0 }), Date.now());
    assert.deepEqual(Object.keys(ev.snapshot().devices), ['d7', 'd8', 'd9']);
    const g = new GeofenceTracker(0, 2);
    g.setZones(parseZones([HOME]));
    for (let i = 0; i < 5; i++) g.update(`d${i}`, 52.52, 13.405, Date.now());
    assert.deepEqual(Object.keys(g.snapshot().devices), ['d3', 'd4']);
  });

  it('per-device speed limits override the node limit; restored state continues', () => {
    const ev = new DeviceEventTracker({ speedLimit: 100, speedLimits: { slow: 30 } });
    const now = Date.now();
    const over = (id, speed, i) =>
      ev
        .update(rec({ deviceId: id, time: t(2, i), lat: 1, lon: 1, speed }), now)
        .events.filter((e) => e.event === 'overspeed')
        .map((e) => e.limit);
    assert.deepEqual(over('slow', 40, 0), [30]);
    assert.deepEqual(over('slow', 45, 1), []);
    assert.deepEqual(over('fast', 90, 0), []);
    assert.deepEqual(over('fast', 101, 1), [100]);
    const copy = new DeviceEventTracker({ speedLimit: 100, speedLimits: { slow: 30 } });
    copy.restore(JSON.parse(JSON.stringify(ev.snapshot())));
    const again = copy.update(rec({ deviceId: 'fast', time: t(2, 2), lat: 1, lon: 1, speed: 110 }), now);
    assert.deepEqual(again.events, []); // still the same overspeed episode, and still online
    assert.equal(copy.tick(now + 601000).length, 2);
  });
});
