'use strict';
// The editor in a real browser: Debian's Chromium driven by playwright-core against the embedded Node-RED
// of `npm start`. Finds the nodes under "location", adds each to a flow, fills its dialog, opens the
// tracker-server dialog with a device connected, deploys, and checks the browser logged no error.
// Screenshots go to test-artifacts/. Skips (saying why) when no Chromium is installed.
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { tcpClient, delay, freePort } = require('../lib/clients');
const F = require('../fixtures/gt06-frames');
const { gt06Position } = require('../lib/gt06');
const { declaredCommands } = require('../../dist/index.js');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');

describe('editor in a real browser (Chromium + playwright-core)', function () {
  this.timeout(120000);
  let child;
  let browser;
  let device;
  let userDir;

  before(function () {
    if (!fs.existsSync(CHROMIUM)) {
      console.log(`      skipped: no browser at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
      this.skip();
    }
  });

  after(async () => {
    if (browser) await browser.close();
    if (device) device.destroy();
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('adds, configures and deploys every node with no console error', async () => {
    const { chromium } = require('playwright-core');
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const [editorPort, trackerPort] = [await freePort(), await freePort()];
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nr-browser-'));
    child = spawn(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'start.js')], {
      env: {
        ...process.env,
        PORT: String(editorPort),
        TRACKER_PORT: String(trackerPort),
        NODE_RED_USER_DIR: userDir,
        PALETTE_CATALOGUES: '', // no Flow Library catalogue: this machine has no internet access
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (d) => (log += d));
    child.stderr.on('data', (d) => (log += d));
    for (let t = 0; !log.includes(`TCP/UDP port ${trackerPort}`); t++) {
      if (t > 450 || child.exitCode !== null) throw new Error(`Node-RED did not start:\n${log}`);
      await delay(100);
    }
    device = await tcpClient(trackerPort);
    device.write(F.LOGIN);
    await device.waitFor(10);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const problems = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`http://127.0.0.1:${editorPort}/`);
    await page.waitForSelector('#red-ui-palette-container-location .red-ui-palette-node', { timeout: 30000 });
    await delay(500);

    const inPalette = await page.$$eval('#red-ui-palette-container-location .red-ui-palette-node', (els) =>
      els.map((e) => e.getAttribute('data-palette-type')),
    );
    // node-red-contrib-web-worldmap (a devDependency for the map example) shares the category
    assert.deepEqual(inPalette.filter((t) => t.startsWith('tracker-')).sort(), [
      'tracker-command',
      'tracker-flags',
      'tracker-geofence',
      'tracker-in',
    ]);

    const fillers = {
      'tracker-in': async () => {
        await page.selectOption('#node-input-server', { label: 'trackers' });
        await page.selectOption('#node-input-filter', 'positions');
        await page.fill('#node-input-devices', F.IMEI);
        await page.fill('#node-input-name', 'my trackers');
        await page.fill('#node-input-speedLimit', '90');
        await page.fill('#node-input-timeZone', 'Europe/Berlin');
      },
      'tracker-command': async () => {
        await page.selectOption('#node-input-server', { label: 'trackers' });
        await page.selectOption('#node-input-device-pick', F.IMEI); // picker fed by the admin endpoint
        // picking the GT06 device offers exactly the commands GT06 declares, with their parameters
        await page.waitForFunction(() => $('#node-input-protocol').val() === 'gt06');
        const offered = async () =>
          (await page.$$eval('#node-input-command option', (os) => os.map((o) => o.value))).filter(
            (v) => v !== 'payload',
          );
        assert.deepEqual(
          await offered(),
          declaredCommands('gt06').map((c) => c.type),
        );
        await page.selectOption('#node-input-command', 'positionPeriodic');
        const rows = page.locator('#tracker-command-params .tracker-command-param');
        assert.equal(await rows.count(), 1);
        assert.match(await rows.first().textContent(), /report interval.*interval: 5 … 18000, s/s);
        await rows.first().locator('input.red-ui-typedInput-input').fill('60');
        await page.screenshot({ path: path.join(ARTIFACTS, 'dialog-tracker-command-gt06.png') });
        // another protocol, other commands: JT/T 808 has takePhoto with its ten parameters
        await page.selectOption('#node-input-protocol', 'jt808');
        assert.deepEqual(
          await offered(),
          declaredCommands('jt808').map((c) => c.type),
        );
        await page.selectOption('#node-input-command', 'takePhoto');
        assert.equal(await rows.count(), 10);
        // back to the device's protocol: the interval typed earlier is still there
        await page.selectOption('#node-input-protocol', 'gt06');
        await page.selectOption('#node-input-command', 'positionPeriodic');
        assert.equal(await rows.first().locator('input.red-ui-typedInput-input').inputValue(), '60');
        await page.fill('#node-input-ttl', '3600');
      },
      'tracker-flags': async () => {
        await page.selectOption('#node-input-mode', 'edges');
      },
      'tracker-geofence': async () => {
        const add = page.locator('.red-ui-editableList-addButton');
        await add.click();
        const circle = page.locator('#node-input-zones-container li').nth(0);
        await circle.locator('.zone-name').fill('home');
        await circle.locator('.zone-lat').fill('52.52');
        await circle.locator('.zone-lon').fill('13.405');
        await circle.locator('.zone-radius').fill('300');
        await add.click();
        const polygon = page.locator('#node-input-zones-container li').nth(1);
        await polygon.locator('.zone-name').fill('park');
        await polygon.locator('.zone-type').selectOption('polygon');
        await polygon.locator('.zone-points').fill('52.500,13.395 52.505,13.395 52.505,13.400');
        await page.fill('#node-input-dwell', '30');
      },
    };
    let y = 420;
    for (const [type, fill] of Object.entries(fillers)) {
      const source = page.locator(
        `#red-ui-palette-container-location .red-ui-palette-node[data-palette-type="${type}"]`,
      );
      await source.scrollIntoViewIfNeeded();
      await source.dragTo(page.locator('#red-ui-workspace-chart'), { targetPosition: { x: 450, y } });
      y += 70;
      await page.keyboard.press('Enter'); // edit the node just dropped (it is selected)
      await page.waitForSelector('#node-dialog-ok', { state: 'visible' });
      await delay(300);
      await fill();
      await page.screenshot({ path: path.join(ARTIFACTS, `dialog-${type}.png`) });
      await page.click('#node-dialog-ok');
      await page.waitForSelector('#node-dialog-ok', { state: 'detached' });
    }

    // the shared server's dialog, opened from the configuration-nodes sidebar, shows the connected device
    await page.evaluate(() => RED.sidebar.show('config'));
    await page.dblclick('.red-ui-palette-node-config:has-text("trackers")');
    await page.waitForSelector('#tracker-server-live table', { timeout: 10000 });
    await delay(500); // the edit tray slides in
    const live = await page.textContent('#tracker-server-live');
    assert.match(live, new RegExp(`listening on port ${trackerPort}, 1 device`));
    assert.match(live, new RegExp(F.IMEI));
    await page.screenshot({ path: path.join(ARTIFACTS, 'dialog-tracker-server.png') });
    await page.click('#node-config-dialog-cancel');

    await page.click('#red-ui-header-button-deploy');
    await page.waitForSelector('.red-ui-notification:has-text("Successfully deployed")', { timeout: 15000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'deployed.png') });

    const res = await fetch(`http://127.0.0.1:${editorPort}/flows`, { headers: { 'Node-RED-API-Version': 'v2' } });
    const { flows } = await res.json();
    const added = (type) => flows.filter((n) => n.type === type);
    assert.ok(
      added('tracker-in').some((n) => n.filter === 'positions' && n.devices === F.IMEI && n.name === 'my trackers'),
    );
    assert.ok(
      added('tracker-command').some(
        (n) =>
          n.command === 'positionPeriodic' &&
          n.protocol === 'gt06' &&
          n.params.interval?.v === '60' &&
          n.ttl === '3600' &&
          n.device === F.IMEI &&
          n.deviceType === 'str',
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
    assert.doesNotMatch(log, /\[error\]/);

    // The map example (what npm start runs): a device's position appears as a marker on the worldmap page.
    const map = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    await map.goto(`http://127.0.0.1:${editorPort}/worldmap/`);
    await map.waitForSelector('.leaflet-container', { timeout: 30000 });
    await delay(1000); // the page opens its socket to Node-RED
    const car = await tcpClient(trackerPort);
    car.write(F.LOGIN);
    await car.waitFor(10);
    car.write(gt06Position({ lat: 52.5163, lon: 13.3777, speed: 40, course: 45, ignition: true, time: new Date() }, 2));
    await car.waitFor(20);
    await map.waitForSelector('.leaflet-marker-icon', { timeout: 15000 });
    const title = await map.evaluate(() => Object.keys(window.markers || {}));
    assert.ok(title.includes(F.IMEI), `marker for the device, markers: ${title}`);
    await map.screenshot({ path: path.join(ARTIFACTS, 'worldmap.png') });
    car.destroy();
  });
});
