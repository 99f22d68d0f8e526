'use strict';
// The history example against a real PostgreSQL with PostGIS (a throwaway cluster): `npm start` runs
// examples/postgis-history.json, a GT06 device drives a day (parked, a trip east, a stop, a trip back, parked), and
// the test reads the stored rows, asks the example for the day's trips and stops, and watches the replay on the map
// in Chromium. Skips, saying why, where PostgreSQL/PostGIS (or, for the replay, Chromium) is not installed.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Pool } = require('pg');
const { destination, distance } = require('../../dist/index.js');
const { tcpClient, delay, freePort } = require('../lib/clients');
const { npmStart, trackerListening, functionModules } = require('../lib/node-red-process');
const { findPostgres, startPostgres } = require('../lib/postgres');
const { chromiumMissing, launchChromium, screenshot } = require('../lib/browser');
const { gt06Position } = require('../lib/gt06');
const F = require('../fixtures/gt06-frames');

const DAY = '2026-11-30';
/** GET from the running Node-RED, giving up after 10 s. */
const get = (port, url) => fetch(`http://127.0.0.1:${port}${url}`, { signal: AbortSignal.timeout(10000) });
const at = (minutes) => new Date(Date.parse(`${DAY}T08:00:00Z`) + minutes * 60000);
const HOME = { lat: 52.52, lon: 13.4 };

/** The day the device drives: [time, lat, lon, speed km/h, course]. */
function route() {
  const fixes = [];
  const parked = (from, to, p) => {
    for (let m = from; m < to; m++) fixes.push({ time: at(m), ...p, speed: 0, course: 0, ignition: false });
  };
  // 36 km/h = 300 m every 30 s, 20 steps = 6 km
  const drive = (from, start, course) => {
    for (let i = 0; i <= 20; i++)
      fixes.push({ time: at(from + i / 2), ...destination(start, course, 300 * i), speed: 36, course, ignition: true });
    return destination(start, course, 6000);
  };
  parked(0, 5, HOME);
  const east = drive(5, HOME, 90);
  parked(16, 31, east);
  drive(31, east, 270);
  parked(42, 50, HOME);
  return { fixes, east };
}

describe('history in PostgreSQL/PostGIS (postgis-history example, real database)', function () {
  this.timeout(90000);
  let db;
  let pool;
  let nr;
  let userDir;
  let editorPort;
  before(async function () {
    const found = findPostgres();
    if (found.missing) {
      console.log(`      skipped: ${found.missing}`);
      this.skip();
    }
    db = await startPostgres(found);
    pool = new Pool({ ...pgConfig(db.env), max: 2 });
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nr-postgis-'));
    functionModules(userDir, ['pg']);
    editorPort = await freePort();
    const trackerPort = await freePort();
    nr = npmStart({
      env: {
        ...db.env,
        PORT: String(editorPort),
        TRACKER_PORT: String(trackerPort),
        NODE_RED_USER_DIR: userDir,
        EXAMPLE: 'postgis-history.json',
      },
    });
    await nr.waitFor(trackerListening(trackerPort));
    const c = await tcpClient(trackerPort);
    c.write(F.LOGIN);
    await c.waitFor(10);
    for (const [i, fix] of route().fixes.entries()) {
      c.write(gt06Position(fix, i + 2));
      await c.waitFor(10 * (i + 2));
    }
    c.destroy();
  });
  after(async () => {
    if (nr) await nr.stop();
    if (pool) await pool.end();
    if (db) db.stop();
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  function pgConfig(env) {
    return { host: env.PGHOST, port: Number(env.PGPORT), user: env.PGUSER, database: env.PGDATABASE };
  }

  /** Polls the database until `sql` returns at least `n` rows. */
  async function rows(sql, n) {
    for (const deadline = Date.now() + 15000; ; await delay(100)) {
      const r = await pool.query(sql).catch(() => ({ rows: [] })); // the tables appear with the first message
      if (r.rows.length >= n) return r.rows;
      if (Date.now() > deadline) throw new Error(`${r.rows.length}/${n} rows for ${sql}\n${nr.log}`);
    }
  }

  it('stores every position, with its point in PostGIS, and every device event', async () => {
    const { fixes } = route();
    const stored = await rows(
      `SELECT device_id, time, ST_Y(position::geometry) AS lat, ST_X(position::geometry) AS lon, speed, course,
              ignition, protocol FROM tracker_positions ORDER BY time`,
      fixes.length,
    );
    assert.equal(stored.length, fixes.length, 'one row per position');
    for (const [i, fix] of fixes.entries()) {
      const row = stored[i];
      assert.equal(row.device_id, F.IMEI);
      assert.equal(row.protocol, 'gt06');
      assert.equal(row.time.toISOString(), fix.time.toISOString());
      // GT06 sends 1/1800000 of a degree
      assert.ok(
        Math.abs(row.lat - fix.lat) < 1e-6 && Math.abs(row.lon - fix.lon) < 1e-6,
        `${i}: ${row.lat},${row.lon}`,
      );
      assert.equal(row.speed, fix.speed);
      assert.equal(row.ignition, fix.ignition);
    }
    const events = await rows(`SELECT event, time, details FROM tracker_events ORDER BY id`, 6);
    const names = events.map((e) => e.event);
    assert.deepEqual(
      names.filter((e) => ['moving', 'stopped'].includes(e)),
      ['moving', 'stopped', 'moving', 'stopped'],
    );
    assert.equal(names[0], 'online');
    assert.ok(names.includes('ignitionOn') && names.includes('ignitionOff'));
    const stopped = events.find((e) => e.event === 'stopped');
    assert.equal(stopped.details.since, at(16).toISOString(), 'stopped since its first standing position');
  });

  it("answers GET /tracks/<device>/<day> with the day's track, trips and stops", async () => {
    const { fixes, east } = route();
    const res = await get(editorPort, `/tracks/${F.IMEI}/${DAY}?tz=UTC`);
    assert.equal(res.status, 200);
    const day = await res.json();
    assert.equal(day.positions, fixes.length);
    assert.equal(day.track.length, fixes.length);
    const iso = (m) => at(m).toISOString();
    assert.deepEqual(
      day.trips.map((t) => [t.start, t.end, t.duration, t.maxSpeed]),
      [
        [iso(5), iso(16), 660, 36],
        [iso(31), iso(42), 660, 36],
      ],
    );
    // PostGIS measures on the WGS-84 spheroid, our distance() on a sphere: a few metres per kilometre apart
    const sixKm = distance(HOME, east);
    for (const trip of day.trips)
      assert.ok(Math.abs(trip.distance - sixKm) / sixKm < 0.005, `${trip.distance} m, not about ${sixKm}`);
    assert.equal(day.distance, day.trips[0].distance + day.trips[1].distance);
    assert.ok(Math.abs(day.trips[0].to.lon - east.lon) < 1e-6 && Math.abs(day.trips[1].to.lon - HOME.lon) < 1e-6);
    assert.deepEqual(
      day.stops.map((s) => [s.start, s.end, s.duration]),
      [
        [iso(0), iso(5), 300],
        [iso(16), iso(31), 900],
        [iso(42), iso(49), 420],
      ],
    );
    // a day with nothing, and a question that makes no sense
    const empty = await (await get(editorPort, `/tracks/${F.IMEI}/2026-11-29`)).json();
    assert.deepEqual([empty.positions, empty.trips, empty.stops], [0, [], []]);
    const bad = await get(editorPort, `/tracks/${F.IMEI}/someday`);
    assert.equal(bad.status, 400);
  });

  it('replays the day on the /replay map: the track as a line, the car driving along it to its last position', async function () {
    const missing = chromiumMissing();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
      await page.goto(`http://127.0.0.1:${editorPort}/replay/`);
      await page.waitForSelector('.leaflet-container', { timeout: 30000 });
      await page.waitForFunction(() => window.ws && window.ws.readyState === 1, null, { timeout: 10000 });
      const res = await get(editorPort, `/tracks/${F.IMEI}/${DAY}?replay=1`);
      assert.equal(res.status, 200);
      const { fixes } = route();
      const last = fixes[fixes.length - 1];
      const car = `${F.IMEI} replay`;
      // the car's last step: the day's last position (the day starts and ends at home, so compare times)
      await page.waitForFunction(
        ([name, time]) => window.allData?.[name] && new Date(window.allData[name].time).toISOString() === time,
        [car, last.time.toISOString()],
        { timeout: 20000 },
      );
      const shown = await page.evaluate((name) => window.allData[name], car);
      assert.ok(Math.abs(shown.lat - last.lat) < 1e-6 && Math.abs(shown.lon - last.lon) < 1e-6);
      const line = await page.evaluate((name) => window.allData[name]?.line, `${F.IMEI} ${DAY}`);
      assert.equal(line.length, fixes.length, 'the whole day as a line');
      await delay(500); // the map's zoom animation settles
      await screenshot(page, 'replay');
    } finally {
      await browser.close();
    }
  });
});
