'use strict';
// Every example flow in examples/ deploys in a real Node-RED runtime (with the core nodes it uses and
// node-red-contrib-web-worldmap, a devDependency), and does what its comment says when a GT06 device on a
// real TCP socket sends a login, positions and an SOS.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const helper = require('node-red-node-test-helper');
const { tcpClient, delay, freePort } = require('../lib/clients');
const { listeningPort } = require('../lib/red');
const { gt06Position } = require('../lib/gt06');
const F = require('../fixtures/gt06-frames');

helper.init(require.resolve('node-red'));

const core = (p) => require(`@node-red/nodes/core/${p}`);
const NODES = [
  require('../../nodes/tracker-server.js'),
  require('../../nodes/tracker-in.js'),
  require('../../nodes/tracker-command.js'),
  require('../../nodes/tracker-flags.js'),
  require('../../nodes/tracker-geofence.js'),
  core('common/20-inject.js'),
  core('common/21-debug.js'),
  core('common/90-comment.js'),
  core('function/10-function.js'),
  core('function/10-switch.js'),
  core('parsers/70-CSV.js'),
  core('storage/10-file.js'),
  core('network/10-mqtt.js'),
  require('node-red-contrib-web-worldmap/worldmap.js'),
];

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

/** An example (nodes for the import menu) as a flow on one tab, its server on a free port on loopback. */
function exampleFlow(file, { keepPort = false } = {}) {
  const nodes = JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8'));
  for (const n of nodes) {
    if (n.type === 'tracker-server') Object.assign(n, { host: '127.0.0.1' }, keepPort ? {} : { port: 0 });
    if (n.type === 'mqtt-broker') Object.assign(n, { port: '1', autoConnect: false }); // no broker here: never dial out
    if ('wires' in n || n.type === 'comment') n.z = 'tab';
  }
  return [{ id: 'tab', type: 'tab', label: file }, ...nodes];
}

/** The node of an example by type and name. */
function find(flow, type, name) {
  const def = flow.find((n) => n.type === type && (name === undefined || n.name === name));
  assert.ok(def, `${type} "${name}" in the example`);
  return helper.getNode(def.id);
}

/** Messages arriving at a node (any node: debug, file, mqtt out...). */
function inputs(node) {
  const got = [];
  node.on('input', (msg) => got.push(JSON.parse(JSON.stringify(msg))));
  return got;
}

/** Errors any node of the flow reports. */
function errors(flow) {
  const got = [];
  for (const def of flow) {
    const node = helper.getNode(def.id);
    if (node) node.on('call:error', (call) => got.push(`${def.type} ${def.name || def.id}: ${call.args[0]}`));
  }
  return got;
}

const at = (m) => new Date(Date.UTC(2026, 11, 1, 9, m)).toISOString();
const HOME = { lat: 52.5298, lon: 13.3777 };

/** A GT06 device on the example's port: logs in and sends the given positions (and an SOS), acknowledged. */
async function drive(positions, { sos = false } = {}) {
  const port = await listeningPort(helper.getNode(exampleServerId).id);
  const c = await tcpClient(port);
  c.write(F.LOGIN);
  await c.waitFor(10);
  let acks = 10;
  for (const [i, p] of positions.entries()) {
    c.write(gt06Position({ speed: 30, course: 90, ignition: true, ...p, time: at(i) }, i + 2));
    acks += 10;
    await c.waitFor(acks);
  }
  if (sos) {
    c.write(F.SOS);
    acks += 10;
    await c.waitFor(acks);
  }
  await delay(200);
  c.destroy();
  await delay(100); // the offline event
  return c;
}
let exampleServerId;

describe('example flows deploy and work', function () {
  this.timeout(20000);
  let workDir;
  before(() => helper.startServer());
  after(() => helper.stopServer());
  beforeEach(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nr-examples-'));
  });
  afterEach(async () => {
    await helper.unload();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  async function load(file, settings = {}, options = {}) {
    helper.settings({ ...(helper._settings || {}), ...settings });
    const flow = exampleFlow(file, options);
    await helper.load(NODES, flow);
    for (const def of flow)
      if (def.type !== 'tab') assert.ok(helper.getNode(def.id), `${file}: ${def.type} ${def.id} is deployed`);
    exampleServerId = flow.find((n) => n.type === 'tracker-server').id;
    const comment = flow.find((n) => n.type === 'comment');
    assert.ok(comment && comment.info.length > 100, `${file} explains itself in a comment node`);
    return flow;
  }

  it('every example uses the same tracker-server node, so importing a second one reuses it', () => {
    const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'));
    const servers = [];
    const owner = new Map();
    for (const file of files) {
      const nodes = JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8'));
      const mine = nodes.filter((n) => n.type === 'tracker-server');
      assert.equal(mine.length, 1, `${file}: one tracker-server`);
      servers.push(mine[0]);
      for (const n of nodes) {
        if (n.type === 'tracker-server') continue;
        assert.ok(
          !owner.has(n.id),
          `${file} and ${owner.get(n.id)} both have a node ${n.id}: importing both would clash`,
        );
        owner.set(n.id, file);
        if ('server' in n) assert.equal(n.server, mine[0].id, `${file}: ${n.type} ${n.id} uses the shared server`);
      }
    }
    for (const s of servers) assert.deepEqual(s, servers[0]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Node-RED's environment variable syntax, not a template
    assert.equal(servers[0].port, '${TRACKER_PORT}', 'the port comes from TRACKER_PORT (5023 when unset)');
  });

  it('the shared server listens on $TRACKER_PORT, and on 5023 while that is not set', async () => {
    const outer = process.env.TRACKER_PORT;
    try {
      const port = await freePort();
      process.env.TRACKER_PORT = String(port);
      let flow = await load('receive-positions.json', {}, { keepPort: true });
      const problems = errors(flow);
      assert.equal(await listeningPort(exampleServerId), port);
      await helper.unload();
      delete process.env.TRACKER_PORT;
      flow = await load('receive-positions.json', {}, { keepPort: true });
      assert.equal(helper.getNode(exampleServerId).currentState.port, 5023);
      // errors while the nodes were created, before errors() could listen
      const logged = helper.log().args.filter(([m]) => m.level === helper.log().ERROR && /port/.test(m.msg));
      assert.deepEqual(problems.concat(logged.map(([m]) => m.msg)), []);
    } finally {
      if (outer === undefined) delete process.env.TRACKER_PORT;
      else process.env.TRACKER_PORT = outer;
    }
  });

  it('every file in examples/ is covered here', () => {
    const covered = [
      'receive-positions.json',
      'send-commands.json',
      'alarm-edges.json',
      'map.json',
      'sos-notification.json',
      'geofence.json',
      'home-assistant-mqtt.json',
      'store-csv-gpx.json',
      'draw-geofences.json',
      'postgis-history.json', // with a real PostgreSQL: test/e2e/postgis.spec.js
      'dashboard.json', // its page in Chromium: test/e2e/browser.spec.js
    ];
    assert.deepEqual(fs.readdirSync(EXAMPLES).sort(), covered.sort());
  });

  it('receive-positions: records, device events and alarms', async () => {
    const flow = await load('receive-positions.json');
    const problems = errors(flow);
    const records = inputs(find(flow, 'debug', 'records'));
    const events = inputs(find(flow, 'debug', 'device events'));
    const alarms = inputs(find(flow, 'debug', 'alarms'));
    await drive([HOME], { sos: true });
    assert.deepEqual(
      records.map((m) => m.payload.type),
      ['login', 'position', 'position'],
    );
    assert.deepEqual(
      events.map((m) => m.payload.event).filter((e) => e !== 'ignitionOff'),
      ['online', 'alarm', 'offline'],
    );
    assert.deepEqual(
      alarms.map((m) => m.payload.alarms),
      [['sos']],
    );
    assert.deepEqual(problems, []);
  });

  it('send-commands: a command for a device that went offline is queued', async () => {
    const flow = await load('send-commands.json');
    const problems = errors(flow);
    const status = inputs(find(flow, 'debug', 'command status'));
    await drive([]); // the device logs in once, then disconnects
    find(flow, 'inject', 'engine stop').receive({});
    await delay(200);
    assert.equal(status.length, 1, JSON.stringify(status));
    assert.equal(status[0].payload.status, 'queued', JSON.stringify(status[0].payload));
    assert.equal(status[0].payload.deviceId, F.IMEI);
    assert.deepEqual(problems, []);
  });

  it('alarm-edges: SOS starts once', async () => {
    const flow = await load('alarm-edges.json');
    const problems = errors(flow);
    const notify = inputs(find(flow, 'debug', 'SOS: notify someone'));
    await drive([HOME], { sos: true });
    assert.equal(notify.length, 1);
    assert.ok(notify[0].edges.includes('sosStarted'));
    assert.deepEqual(problems, []);
  });

  it('map: markers with heading on a worldmap, trails, (the page itself is checked in start_spec)', async () => {
    const flow = await load('map.json', { httpNodeRoot: '/' }); // worldmap builds its URLs from it
    const problems = errors(flow);
    const map = inputs(find(flow, 'worldmap'));
    await drive([HOME, { lat: 52.5299, lon: 13.379, speed: 0 }]);
    const markers = map.filter((m) => m.payload.lat !== undefined && !m.payload.line);
    assert.deepEqual(
      markers.map((m) => [m.payload.name, m.payload.lat, m.payload.bearing, m.payload.iconColor]),
      [
        [F.IMEI, HOME.lat, 90, 'green'],
        [F.IMEI, 52.5299, 90, 'grey'],
        [F.IMEI, 52.5299, undefined, 'black'], // offline: black where it was last seen (the browser test checks contrast)
      ],
    );
    assert.ok(
      map.some((m) => Array.isArray(m.payload.line)),
      'a trail from worldmap-tracks',
    );
    assert.deepEqual(problems, []);
  });

  it('sos-notification: one message with a map link per SOS', async () => {
    const flow = await load('sos-notification.json');
    const problems = errors(flow);
    const note = inputs(find(flow, 'debug', 'notification'));
    const placeholder = inputs(find(flow, 'function', 'placeholder: email / Telegram'));
    await drive([HOME], { sos: true });
    assert.equal(note.length, 1);
    assert.equal(note[0].topic, `SOS from ${F.IMEI}`);
    assert.match(note[0].payload, /^SOS pressed on tracker 123456789012345 at .*openstreetmap\.org\/\?mlat=/s);
    assert.equal(placeholder.length, 1);
    assert.deepEqual(problems, []);
  });

  it('geofence: arrivals and departures in words, a GeoJSON zone set from the inject node', async () => {
    const flow = await load('geofence.json');
    const problems = errors(flow);
    const said = inputs(find(flow, 'debug', 'crossings'));
    find(flow, 'inject').receive({});
    await delay(50);
    await drive([HOME, { lat: 52.52, lon: 13.3777 }, { lat: 52.503, lon: 13.378 }]);
    assert.deepEqual(
      said.map((m) => m.payload),
      [
        `${F.IMEI} arrived at home at ${at(0)}`,
        `${F.IMEI} left home at ${at(1)}`,
        `${F.IMEI} arrived at park at ${at(2)}`,
      ],
    );
    assert.deepEqual(problems, []);
  });

  it('home-assistant-mqtt: retained discovery config once, then attributes and availability', async () => {
    const flow = await load('home-assistant-mqtt.json');
    const problems = errors(flow);
    const published = inputs(find(flow, 'mqtt out'));
    await drive([HOME, { lat: 52.53, lon: 13.38 }]);
    const topics = published.map((m) => m.topic);
    const id = `gps_${F.IMEI}`;
    assert.deepEqual(topics, [
      `node-red-gps/${F.IMEI}/availability`,
      `homeassistant/device_tracker/${id}/config`,
      `node-red-gps/${F.IMEI}/attributes`,
      `node-red-gps/${F.IMEI}/attributes`,
      `node-red-gps/${F.IMEI}/availability`,
    ]);
    const [online, config, first, , offline] = published;
    assert.equal(online.payload, 'online');
    assert.equal(offline.payload, 'offline');
    assert.equal(config.retain, true);
    assert.equal(config.payload.unique_id, id);
    assert.equal(config.payload.source_type, 'gps');
    assert.equal(config.payload.json_attributes_topic, `node-red-gps/${F.IMEI}/attributes`);
    assert.deepEqual(config.payload.device.identifiers, [id]);
    assert.equal(first.payload.latitude, HOME.lat);
    assert.equal(first.payload.longitude, HOME.lon);
    assert.equal(typeof first.payload.gps_accuracy, 'number');
    assert.deepEqual(problems, []);
  });

  it('store-csv-gpx: a CSV row per position and a GPX track per device and day', async () => {
    const flow = await load('store-csv-gpx.json', { fileWorkingDirectory: workDir });
    const problems = errors(flow);
    await drive([HOME, { lat: 52.53, lon: 13.38 }]);
    await delay(200);
    const csv = fs.readFileSync(path.join(workDir, 'positions.csv'), 'utf8').trim().split('\n');
    assert.equal(csv[0], 'time,deviceId,protocol,lat,lon,speed,course,altitude,satellites,ignition,alarms,mileage');
    assert.equal(csv.length, 3);
    assert.match(csv[1], new RegExp(`^${at(0)},${F.IMEI},gt06,52.5298,13.3777,30,90,`));
    const gpx = fs.readFileSync(path.join(workDir, 'tracks', `${F.IMEI}-2026-12-01.gpx`), 'utf8');
    assert.equal((gpx.match(/<trkpt /g) || []).length, 2);
    assert.match(gpx, /<trkpt lat="52.53" lon="13.38"><time>2026-12-01T09:01:00.000Z<\/time><\/trkpt>/);
    assert.match(gpx, /<\/gpx>\n$/);
    assert.deepEqual(problems, []);
  });

  it('draw-geofences: a shape drawn on the map becomes a zone, is drawn for every page, survives a restart, and deleting it removes the zone', async () => {
    const flow = await load('draw-geofences.json', { httpNodeRoot: '/' });
    const problems = errors(flow);
    const fromMap = find(flow, 'worldmap in');
    let map = inputs(find(flow, 'worldmap'));
    const said = inputs(find(flow, 'debug', 'crossings'));
    // what worldmap's page sends once a polygon is drawn and named (its drawing tools: Leaflet-Geoman)
    const corners = [
      [52.5, 13.372],
      [52.5, 13.384],
      [52.506, 13.384],
      [52.506, 13.372],
    ];
    fromMap.send({
      payload: {
        action: 'draw',
        name: 'park',
        type: 'Polygon',
        layer: '_drawing',
        options: { color: '#4040F0', fill: true },
        area: corners.map(([lat, lng]) => ({ lat, lng })),
      },
    });
    fromMap.send({
      payload: { action: 'draw', name: 'home', type: 'Circle', layer: '_drawing', radius: 300, ...HOME },
    });
    await delay(100);
    const shapes = () => map.filter((m) => m.payload.layer === '_drawing').map((m) => m.payload.name);
    assert.deepEqual([...new Set(shapes())].sort(), ['home', 'park'], 'every zone drawn on the map pages');
    const park = map.filter((m) => m.payload.name === 'park').pop();
    assert.deepEqual(park.payload.area, corners);
    assert.equal(park._sessionid, undefined, 'for every page');

    await drive([{ lat: 52.52, lon: 13.3777 }, { lat: 52.503, lon: 13.378 }, HOME]);
    assert.deepEqual(
      said.map((m) => m.payload),
      [
        `${F.IMEI} arrived at park at ${at(1)}`,
        `${F.IMEI} left park at ${at(2)}`,
        `${F.IMEI} arrived at home at ${at(2)}`,
      ],
    );
    const car = map.filter((m) => m.payload.name === F.IMEI).pop();
    assert.equal(car.payload.iconColor, 'orange', 'a car inside a zone');
    assert.equal(car.payload.zones, 'home');

    // Node-RED restarts: a page that connects gets its drawing tools and the zones kept by tracker-geofence
    await helper.unload();
    const again = await load('draw-geofences.json', { httpNodeRoot: '/' });
    map = inputs(find(again, 'worldmap'));
    find(again, 'worldmap in').send({ payload: { action: 'connected', parameters: {} }, _sessionid: 'page-1' });
    await delay(100);
    assert.ok(map.some((m) => m._sessionid === 'page-1' && m.payload.command?.showlayer === 'drawing'));
    assert.deepEqual(
      map.filter((m) => m._sessionid === 'page-1' && m.payload.name).map((m) => m.payload.name),
      ['park', 'home'],
    );

    // deleted on the map (right-click, Delete): the zone is gone
    find(again, 'worldmap in').send({ payload: { action: 'drawdelete', name: 'home', deleted: true } });
    await delay(100);
    const saidNow = inputs(find(again, 'debug', 'crossings'));
    await drive([{ lat: 52.52, lon: 13.3777 }, { lat: 52.503, lon: 13.378 }, HOME]);
    assert.deepEqual(
      saidNow.map((m) => m.payload),
      [`${F.IMEI} arrived at park at ${at(1)}`, `${F.IMEI} left park at ${at(2)}`],
      'park is still a zone; home, deleted, is not',
    );
    assert.deepEqual(problems.concat(errors(again)), []);
  });
});
