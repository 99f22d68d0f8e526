'use strict';
// The editor and the pages a newcomer opens, in a real browser: Debian's Chromium driven by playwright-core against
// the embedded Node-RED of `npm start` (the map example). Adds and configures every node; imports two examples one
// after the other, then every other one, into the running editor (one tracker-server, one listener, every flow
// receives); looks at the map, an offline car on it, and a zone drawn on the geofences map.
// Screenshots go to test-artifacts/ (and to docs/images/ for the README with SCREENSHOTS=docs, `npm run screenshots`).
// Skips (saying why) when no Chromium is installed.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { tcpClient, delay, freePort } = require('../lib/clients');
const { npmStart, trackerListening, functionModules } = require('../lib/node-red-process');
const { chromiumMissing, launchChromium, screenshot } = require('../lib/browser');
const { Simulator, declaredCommands, DEVICE_PROTOCOLS } = require('../../dist/index.js');
const F = require('../fixtures/gt06-frames');
const { gt06Position } = require('../lib/gt06');

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');
const SERVER_ID = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'map.json'), 'utf8')).find(
  (n) => n.type === 'tracker-server',
).id;
/** OSM Carto's land colour: what surrounds a car on the map. */
const MAP_LAND = '#f2efe9';

describe('editor and pages in a real browser (Chromium + playwright-core)', function () {
  this.timeout(120000);
  let nr;
  let browser;
  let editor;
  let userDir;
  let editorPort;
  let trackerPort;
  const problems = [];
  const url = (p) => `http://127.0.0.1:${editorPort}${p}`;

  before(async function () {
    const missing = chromiumMissing();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    [editorPort, trackerPort] = [await freePort(), await freePort()];
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nr-browser-'));
    functionModules(userDir, ['pg']); // the history example's function nodes need pg: no download on deploy
    nr = npmStart({
      env: {
        PORT: String(editorPort),
        TRACKER_PORT: String(trackerPort),
        NODE_RED_USER_DIR: userDir,
        PALETTE_CATALOGUES: '', // no Flow Library catalogue: this machine has no internet access
        PGHOST: '127.0.0.1',
        PGPORT: String(await freePort()), // no database here: the history example reports that, quickly
      },
    });
    await nr.waitFor(trackerListening(trackerPort), 45000);
    browser = await launchChromium();
    editor = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    editor.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    editor.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await editor.goto(url('/'));
    await editor.waitForSelector('#red-ui-palette-container-location .red-ui-palette-node', { timeout: 30000 });
    // what the debug sidebar gets
    await editor.evaluate(() => {
      window.debugMessages = [];
      RED.comms.subscribe('debug', (_topic, m) => window.debugMessages.push(m));
    });
    await delay(500);
  });

  after(async () => {
    if (browser) await browser.close();
    if (nr) await nr.stop();
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  /** Deploys from the editor and waits until the runtime has the flows. */
  async function deploy() {
    await editor.click('#red-ui-header-button-deploy');
    await editor.waitForFunction(() => !RED.nodes.dirty(), null, { timeout: 15000 });
  }

  /** Imports an example as a user does: menu, Import, Examples, the module, the example, into a new flow. */
  async function importExample(name) {
    await editor.click('#red-ui-header-button-sidemenu');
    await editor.click('#menu-item-import');
    await editor.click('#red-ui-clipboard-dialog-import-tabs a:has-text("Examples")');
    const tree = editor.locator('.red-ui-clipboard-dialog-tab-library:visible .red-ui-treeList-label');
    const item = tree.filter({ hasText: new RegExp(`^${name}$`) });
    if (!(await item.isVisible())) await tree.filter({ hasText: /^@opentrackers\/node-red-gps-trackers$/ }).click();
    await item.click();
    await editor.click('#red-ui-clipboard-dialog-import-opt-new');
    await editor.click('#red-ui-clipboard-dialog-ok');
    // The shared server is already there: Node-RED asks; "Import copy" keeps the one we have.
    const conflict = editor.locator('.red-ui-notification button', { hasText: 'Import copy' });
    await conflict.click({ timeout: 5000 });
    await editor.mouse.click(500, 300); // drop the imported nodes
  }

  /** Debug sidebar messages from debug nodes named `name`. */
  const debugFrom = (name) => editor.evaluate((n) => window.debugMessages.filter((m) => m.name === n), name);

  it('adds, configures and deploys every node with no console error; new nodes take the only server; dialogs label their fields', async () => {
    const device = await tcpClient(trackerPort);
    device.write(F.LOGIN);
    await device.waitFor(10);
    const inPalette = await editor.$$eval('#red-ui-palette-container-location .red-ui-palette-node', (els) =>
      els.map((e) => e.getAttribute('data-palette-type')),
    );
    // node-red-contrib-web-worldmap (a devDependency for the map example) shares the category
    assert.deepEqual(inPalette.filter((t) => t.startsWith('tracker-')).sort(), [
      'tracker-command',
      'tracker-flags',
      'tracker-geofence',
      'tracker-in',
    ]);

    const serverChosen = async (type) =>
      assert.equal(await editor.inputValue('#node-input-server'), SERVER_ID, `a new ${type} uses the only server`);
    const fillers = {
      'tracker-in': async () => {
        await serverChosen('tracker in');
        await editor.selectOption('#node-input-filter', 'positions');
        await editor.fill('#node-input-devices', F.IMEI);
        await editor.fill('#node-input-name', 'my trackers');
        await editor.fill('#node-input-speedLimit', '90');
        await editor.fill('#node-input-timeZone', 'Europe/Berlin');
      },
      'tracker-command': async () => {
        await serverChosen('tracker command');
        await editor.selectOption('#node-input-device-pick', F.IMEI); // picker fed by the admin endpoint
        // picking the GT06 device offers exactly the commands GT06 declares, with their parameters
        await editor.waitForFunction(() => $('#node-input-protocol').val() === 'gt06');
        const offered = async () =>
          (await editor.$$eval('#node-input-command option', (os) => os.map((o) => o.value))).filter(
            (v) => v !== 'payload',
          );
        assert.deepEqual(
          await offered(),
          declaredCommands('gt06').map((c) => c.type),
        );
        await editor.selectOption('#node-input-command', 'positionPeriodic');
        const rows = editor.locator('#tracker-command-params .tracker-command-param');
        assert.equal(await rows.count(), 1);
        assert.match(await rows.first().textContent(), /report interval.*interval: 5 … 18000, s/s);
        await rows.first().locator('input.red-ui-typedInput-input').fill('60');
        await screenshot(editor, 'dialog-tracker-command-gt06');
        // another protocol, other commands: JT/T 808 has takePhoto with its ten parameters
        await editor.selectOption('#node-input-protocol', 'jt808');
        assert.deepEqual(
          await offered(),
          declaredCommands('jt808').map((c) => c.type),
        );
        await editor.selectOption('#node-input-command', 'takePhoto');
        assert.equal(await rows.count(), 10);
        // back to the device's protocol: the interval typed earlier is still there
        await editor.selectOption('#node-input-protocol', 'gt06');
        await editor.selectOption('#node-input-command', 'positionPeriodic');
        assert.equal(await rows.first().locator('input.red-ui-typedInput-input').inputValue(), '60');
        await editor.fill('#node-input-ttl', '3600');
      },
      'tracker-flags': async () => {
        await editor.selectOption('#node-input-mode', 'edges');
      },
      'tracker-geofence': async () => {
        const add = editor.locator('.red-ui-editableList-addButton');
        await add.click();
        const circle = editor.locator('#node-input-zones-container li').nth(0);
        // each field is labelled, with its unit, beside the box (not only a placeholder that typing hides)
        assert.deepEqual(await circle.locator('.zone-circle .zone-label').allTextContents(), [
          'centre latitude',
          'longitude',
          'radius',
        ]);
        assert.deepEqual(await circle.locator('.zone-circle .zone-unit').allTextContents(), ['°', '°', 'm']);
        await circle.locator('.zone-name').fill('home');
        await circle.locator('.zone-lat').fill('52.52');
        await circle.locator('.zone-lon').fill('13.405');
        await circle.locator('.zone-radius').fill('300');
        await add.click();
        const polygon = editor.locator('#node-input-zones-container li').nth(1);
        await polygon.locator('.zone-name').fill('park');
        await polygon.locator('.zone-type').selectOption('polygon');
        assert.match(await polygon.locator('.zone-polygon .zone-label').textContent(), /^corners/);
        await polygon.locator('.zone-points').fill('52.500,13.395 52.505,13.395 52.505,13.400');
        await editor.fill('#node-input-dwell', '30');
      },
    };
    let y = 420;
    for (const [type, fill] of Object.entries(fillers)) {
      const source = editor.locator(
        `#red-ui-palette-container-location .red-ui-palette-node[data-palette-type="${type}"]`,
      );
      await source.scrollIntoViewIfNeeded();
      await source.dragTo(editor.locator('#red-ui-workspace-chart'), { targetPosition: { x: 450, y } });
      y += 70;
      await editor.keyboard.press('Enter'); // edit the node just dropped (it is selected)
      await editor.waitForSelector('#node-dialog-ok', { state: 'visible' });
      await delay(300);
      await fill();
      await screenshot(editor, `dialog-${type}`);
      await editor.click('#node-dialog-ok');
      await editor.waitForSelector('#node-dialog-ok', { state: 'detached' });
    }

    // the shared server's dialog, opened from the configuration-nodes sidebar, shows the connected device
    await editor.evaluate(() => RED.sidebar.show('config'));
    await editor.dblclick('.red-ui-palette-node-config:has-text("trackers")');
    await editor.waitForSelector('#tracker-server-live table', { timeout: 10000 });
    await delay(500); // the edit tray slides in
    const live = await editor.textContent('#tracker-server-live');
    assert.match(live, new RegExp(`listening on port ${trackerPort}, 1 device`));
    assert.match(live, new RegExp(F.IMEI));
    // every box shows all of its text: the port variable, the device clock's placeholder
    const cut = await editor.evaluate(() =>
      ['port', 'timezone'].flatMap((name) => {
        const input = document.getElementById(`node-config-input-${name}`);
        const style = getComputedStyle(input);
        const ctx = document.createElement('canvas').getContext('2d');
        ctx.font = style.font;
        const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        const text = input.value || input.placeholder;
        return ctx.measureText(text).width > room ? [`${name}: "${text}" does not fit`] : [];
      }),
    );
    assert.deepEqual(cut, []);
    // the two connection limits sit together
    const rows = await editor.$$eval('input[id^="node-config-input-"]', (els) =>
      els.map((e) => e.id.replace('node-config-input-', '')),
    );
    assert.equal(rows.indexOf('maxConnectionsPerAddress'), rows.indexOf('maxConnections') + 1, rows.join(' '));
    await screenshot(editor, 'tracker-server', { forDocs: true });
    await editor.click('#node-config-dialog-cancel');

    await deploy();
    // the picture for the README: the flow with its status, without the deploy notice
    await editor.evaluate(() => RED.sidebar.show('info'));
    await editor.waitForSelector('#red-ui-header-shade', { state: 'hidden' });
    await editor.evaluate(() => {
      for (const n of document.querySelectorAll('.red-ui-notification')) n.style.visibility = 'hidden';
    });
    await delay(300);
    await screenshot(editor, 'editor', { forDocs: true });
    const { flows } = await (await fetch(url('/flows'), { headers: { 'Node-RED-API-Version': 'v2' } })).json();
    const added = (type) => flows.filter((n) => n.type === type);
    assert.ok(
      added('tracker-in').some(
        (n) => n.filter === 'positions' && n.devices === F.IMEI && n.name === 'my trackers' && n.server === SERVER_ID,
      ),
    );
    assert.ok(
      added('tracker-command').some(
        (n) =>
          n.command === 'positionPeriodic' &&
          n.protocol === 'gt06' &&
          n.params.interval?.v === '60' &&
          n.ttl === '3600' &&
          n.device === F.IMEI &&
          n.deviceType === 'str' &&
          n.server === SERVER_ID,
      ),
    );
    assert.ok(added('tracker-flags').some((n) => n.mode === 'edges'));
    assert.ok(
      added('tracker-in').some((n) => n.speedLimit === '90' && n.timeZone === 'Europe/Berlin' && n.events === true),
    );
    const [geofence] = added('tracker-geofence');
    assert.equal(geofence.dwell, '30');
    assert.deepEqual(geofence.zones, [
      { name: 'home', type: 'circle', lat: '52.52', lon: '13.405', radius: '300' },
      { name: 'park', type: 'polygon', points: '52.500,13.395 52.505,13.395 52.505,13.400' },
    ]);
    assert.deepEqual(problems, []);
    assert.doesNotMatch(nr.log, /\[error\]/);
    device.destroy();
  });

  it('imports two examples one after the other: they share the one tracker-server, and both flows receive', async () => {
    await importExample('receive-positions');
    await importExample('alarm-edges');
    await deploy();
    const { flows } = await (await fetch(url('/flows'), { headers: { 'Node-RED-API-Version': 'v2' } })).json();
    assert.deepEqual(
      flows.filter((n) => n.type === 'tracker-server').map((n) => n.id),
      [SERVER_ID],
      'one tracker-server',
    );
    assert.ok(flows.filter((n) => n.type === 'tracker-in').every((n) => n.server === SERVER_ID));
    const state = await (await fetch(url(`/tracker-server/${SERVER_ID}/devices`))).json();
    assert.deepEqual(state.state, { state: 'listening', port: trackerPort, devices: 0 });

    const car = await tcpClient(trackerPort);
    car.write(F.LOGIN);
    await car.waitFor(10);
    car.write(F.SOS);
    await car.waitFor(20);
    await editor.waitForFunction(
      () => ['records', 'every change'].every((n) => window.debugMessages.some((m) => m.name === n)),
      null,
      { timeout: 10000 },
    );
    assert.ok(
      (await debugFrom('every change')).some((m) => /sosStarted/.test(m.msg)),
      'alarm-edges saw the SOS',
    );
    car.destroy();
    assert.deepEqual(problems, []);
    assert.doesNotMatch(nr.log, /in use|\[error\]/);
  });

  it('imports every other example too, without a port clash', async () => {
    const running = ['map', 'receive-positions', 'alarm-edges'];
    const others = fs
      .readdirSync(EXAMPLES)
      .map((f) => f.replace(/\.json$/, ''))
      .filter((n) => !running.includes(n));
    // the rest at once, pasted into the Import dialog (its Clipboard tab) as one flow
    const all = others.flatMap((name) => JSON.parse(fs.readFileSync(path.join(EXAMPLES, `${name}.json`), 'utf8')));
    await editor.click('#red-ui-header-button-sidemenu');
    await editor.click('#menu-item-import');
    await editor.click('#red-ui-clipboard-dialog-import-tabs a:has-text("Clipboard")');
    await editor.fill('#red-ui-clipboard-dialog-import-text', JSON.stringify(all));
    await editor.press('#red-ui-clipboard-dialog-import-text', 'End'); // the dialog checks the text as keys go up
    await editor.click('#red-ui-clipboard-dialog-import-opt-new');
    await editor.click('#red-ui-clipboard-dialog-ok');
    await editor.locator('.red-ui-notification button', { hasText: 'Import copy' }).click({ timeout: 5000 });
    await editor.mouse.click(500, 300);
    await deploy();
    const { flows } = await (await fetch(url('/flows'), { headers: { 'Node-RED-API-Version': 'v2' } })).json();
    assert.equal(flows.filter((n) => n.type === 'tracker-server').length, 1);
    // every tracker in, on every flow, shows the server listening on TRACKER_PORT (or its devices there)
    const statuses = () =>
      editor.evaluate(() => {
        const status = [];
        // (a callback that returns false stops eachNode)
        RED.nodes.eachNode((n) => {
          if (n.type === 'tracker-in') status.push(n.status?.text);
        });
        return status;
      });
    const serving = new RegExp(`^(listening|\\d+ devices?) :${trackerPort}$`);
    for (const deadline = Date.now() + 10000; ; await delay(100)) {
      const now = await statuses();
      if (now.length > 3 && now.every((t) => serving.test(t))) break;
      if (Date.now() > deadline) assert.fail(`tracker in statuses: ${JSON.stringify(now)}`);
    }
    assert.deepEqual(problems, []);
    assert.doesNotMatch(nr.log, /in use/);
  });

  it('shows the cars on the map; an offline car stays clearly visible', async () => {
    const map = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    await map.goto(url('/worldmap/'));
    await map.waitForSelector('.leaflet-container', { timeout: 30000 });
    await map.waitForFunction(() => window.ws && window.ws.readyState === 1, null, { timeout: 10000 });
    const sim = new Simulator({ port: trackerPort, devices: 5, rate: 20 });
    await sim.start();
    await sim.waitUp();
    await map.waitForFunction(
      () => Object.keys(window.markers || {}).filter((n) => /^35\d{13}$/.test(n)).length >= 5,
      null,
      { timeout: 15000 },
    );
    await delay(500);
    await screenshot(map, 'map', { forDocs: true });
    await sim.stop();

    const car = await tcpClient(trackerPort);
    car.write(F.LOGIN);
    await car.waitFor(10);
    car.write(gt06Position({ lat: 52.5163, lon: 13.3777, speed: 0, course: 45, ignition: false, time: new Date() }, 2));
    await car.waitFor(20);
    await map.waitForFunction((id) => window.allData?.[id]?.iconColor === 'grey', F.IMEI, { timeout: 10000 });
    car.destroy(); // the device goes offline
    await map.waitForFunction((id) => window.allData?.[id]?.iconColor !== 'grey', F.IMEI, { timeout: 10000 });
    // the colour the car is drawn in (an SVG image in its marker) against the map, WCAG contrast
    const contrast = await map.evaluate(
      ([id, land]) => {
        const img = window.markers[id].getElement().querySelector('img');
        const fill = /fill="([^"]+)"/.exec(atob(img.src.split(',')[1]))[1];
        const rgb = (css) => {
          const c = document.createElement('canvas').getContext('2d');
          c.fillStyle = css;
          const hex = c.fillStyle.slice(1);
          return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
        };
        const luminance = (css) =>
          rgb(css)
            .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
            .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
        const [a, b] = [luminance(fill), luminance(land)].sort((x, y) => y - x);
        return { fill, ratio: (a + 0.05) / (b + 0.05) };
      },
      [F.IMEI, MAP_LAND],
    );
    assert.ok(
      contrast.ratio >= 3,
      `an offline car (${contrast.fill}) stands out: contrast ${contrast.ratio.toFixed(2)}`,
    );
    await map.close();
  });

  it('turns a zone drawn on the geofences map into a geofence that reports a car driving in', async () => {
    const map = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    await map.goto(url('/geofences/'));
    await map.waitForSelector('.leaflet-pm-icon-polygon', { timeout: 30000 }); // the example turns the tools on
    await delay(500);
    // a square around the map's centre (52.5163, 13.3777), about a kilometre wide
    await map.click('.leaflet-pm-icon-polygon');
    for (const [x, y] of [
      [450, 320],
      [550, 320],
      [550, 420],
      [450, 420],
      [450, 320],
    ]) {
      await map.mouse.click(x, y);
      await delay(100);
    }
    await map.fill('#dinput', 'yard');
    await map.click('.leaflet-popup button:has-text("OK")');
    await map.waitForFunction(() => window.allData?.yard?.color === '#d62728', null, { timeout: 10000 });
    await screenshot(map, 'geofences', { forDocs: true });
    await map.close();

    const car = await tcpClient(trackerPort);
    car.write(F.LOGIN);
    await car.waitFor(10);
    const now = Date.now();
    car.write(gt06Position({ lat: 52.56, lon: 13.3777, speed: 30, course: 180, time: new Date(now - 60000) }, 2));
    car.write(gt06Position({ lat: 52.5163, lon: 13.3777, speed: 30, course: 180, time: new Date(now) }, 3));
    await car.waitFor(30);
    await editor.waitForFunction(
      (id) => window.debugMessages.some((m) => m.name === 'crossings' && m.msg.includes(`${id} arrived at yard`)),
      F.IMEI,
      { timeout: 10000 },
    );
    car.destroy();
    assert.deepEqual(problems, []);
  });

  it('lists every device on the dashboard page with its state and the commands its protocol declares; a command sent there reaches the device', async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 560 } });
    page.on('pageerror', (e) => problems.push(`dashboard page error: ${e.message}`));
    await page.goto(url('/dashboard/trackers'));
    const car = await tcpClient(trackerPort);
    car.write(F.LOGIN);
    await car.waitFor(10);
    car.write(F.HEARTBEAT); // battery level
    await car.waitFor(20);
    car.write(F.SOS);
    await car.waitFor(30);
    const sim = new Simulator({ port: trackerPort, devices: 1, protocols: ['jt808'], firstIndex: 7, rate: 5 });
    await sim.start();
    await sim.waitUp();
    const row = page.locator(`tr[data-device="${F.IMEI}"]`);
    await page.waitForFunction(
      (id) => document.querySelector(`tr[data-device="${id}"] .alarms`)?.textContent === 'sos',
      F.IMEI,
      { timeout: 20000 },
    );
    const cells = async (r) =>
      Object.fromEntries(
        await r.locator('td').evaluateAll((tds) => tds.slice(0, 7).map((td) => [td.className, td.textContent.trim()])),
      );
    const gt06 = await cells(row);
    assert.equal(gt06.protocol, 'gt06');
    assert.equal(gt06.speed, '0 km/h');
    assert.equal(gt06.battery, '83 %');
    assert.equal(gt06.state, 'stopped', 'standing (0 km/h)');
    assert.match(gt06.seen, /\d{1,2}:\d\d:\d\d/, 'last seen: a time');
    const offered = (r) =>
      r.locator('select.command-type option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
    assert.deepEqual(
      await offered(row),
      declaredCommands('gt06').map((c) => c.type),
    );
    const jt808 = page.locator(`tr[data-device="${DEVICE_PROTOCOLS.jt808.deviceId(7)}"]`);
    await jt808.waitFor({ timeout: 10000 });
    assert.equal((await cells(jt808)).protocol, 'jt808');
    assert.deepEqual(
      await offered(jt808),
      declaredCommands('jt808').map((c) => c.type),
    );
    await sim.stop();

    // a command with a parameter, from the page to the device
    await row.locator('select.command-type').selectOption('positionPeriodic');
    await row.locator('.command-param input[name="interval"]').fill('60');
    const before = car.received.length;
    await row.locator('button.command-send').click();
    await car.waitFor(before + 10);
    assert.match(car.received.subarray(before).toString('latin1'), /TIMER,60#/);
    await page.waitForFunction(
      (id) =>
        /positionPeriodic: (sent|delivered|result)/.test(
          document.querySelector(`tr[data-device="${id}"] .command-status`)?.textContent ?? '',
        ),
      F.IMEI,
      { timeout: 10000 },
    );
    await screenshot(page, 'dashboard', { forDocs: true });
    car.destroy();
    await page.close();
    assert.deepEqual(problems, []);
  });
});
