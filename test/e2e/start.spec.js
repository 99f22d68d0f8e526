'use strict';
// `npm start` as a newcomer uses it, one user directory across several starts: the map example comes up quietly,
// PORT and TRACKER_PORT apply on every start, a fixed port that TRACKER_PORT cannot change is refused clearly,
// --reset keeps a backup, and the CSV/GPX example writes into the user directory (not where npm start ran).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { tcpClient, delay, freePort } = require('../lib/clients');
const { npmStart, trackerListening } = require('../lib/node-red-process');
const { gt06Position } = require('../lib/gt06');
const F = require('../fixtures/gt06-frames');

async function loginAcknowledged(port) {
  const c = await tcpClient(port);
  c.write(F.LOGIN);
  await c.waitFor(10);
  assert.equal(c.received.toString('hex'), F.LOGIN_ACK);
  return c;
}

async function deployedFlow(editorPort) {
  const res = await fetch(`http://127.0.0.1:${editorPort}/flows`, { headers: { 'Node-RED-API-Version': 'v2' } });
  return (await res.json()).flows;
}

describe('npm start (embedded Node-RED with an example flow)', function () {
  this.timeout(60000);
  let userDir;
  let cwd;
  let nr;
  before(() => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nr-start-'));
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'nr-start-cwd-'));
  });
  afterEach(async () => {
    if (nr) await nr.stop();
    nr = undefined;
  });
  after(() => {
    for (const dir of [userDir, cwd]) fs.rmSync(dir, { recursive: true, force: true });
  });
  const start = (env, args) => {
    nr = npmStart({ env: { NODE_RED_USER_DIR: userDir, ...env }, args, cwd });
    return nr;
  };

  it('runs the map example and starts quietly, even with a browser tab polling the editor meanwhile', async () => {
    const [editorPort, trackerPort] = [await freePort(), await freePort()];
    start({ PORT: String(editorPort), TRACKER_PORT: String(trackerPort) });
    // an editor tab left open from an earlier run asks for the page while Node-RED starts
    let polls = 0;
    let answered = 0;
    const listening = nr.waitFor(trackerListening(trackerPort));
    let up = false;
    listening.then(
      () => (up = true),
      () => (up = true),
    );
    while (!up) {
      polls++;
      await fetch(`http://127.0.0.1:${editorPort}/`).then(
        () => answered++,
        () => {},
      );
      await delay(20);
    }
    await listening;
    await nr.waitFor(`Node-RED editor: http://localhost:${editorPort}/`);
    assert.ok(polls > 5, `the editor was polled during start-up (${polls} times, ${answered} answered)`);
    (await loginAcknowledged(trackerPort)).destroy();
    const flows = await deployedFlow(editorPort);
    assert.ok(flows.some((n) => n.type === 'tracker-in'));
    assert.ok(flows.some((n) => n.type === 'worldmap'));
    const map = await fetch(`http://127.0.0.1:${editorPort}/worldmap/`);
    assert.equal(map.status, 200, 'the map page is served');
    assert.match(await map.text(), /leaflet/i);
    assert.match(nr.log, new RegExp(`TCP or UDP port ${trackerPort} `));
    assert.deepEqual(
      nr.log.split('\n').filter((l) => /\[(warn|error)\]/.test(l)),
      [],
      'no warning or error when nothing is wrong',
    );
  });

  it('applies PORT and TRACKER_PORT on every start, not only when the flow is first created', async () => {
    const [editorPort, trackerPort] = [await freePort(), await freePort()];
    start({ PORT: String(editorPort), TRACKER_PORT: String(trackerPort) });
    await nr.waitFor(trackerListening(trackerPort));
    await nr.waitFor(`Node-RED editor: http://localhost:${editorPort}/`);
    assert.match(nr.log, new RegExp(`TCP or UDP port ${trackerPort} `));
    (await loginAcknowledged(trackerPort)).destroy();
    assert.equal((await fetch(`http://127.0.0.1:${editorPort}/worldmap/`)).status, 200);
    const server = (await deployedFlow(editorPort)).find((n) => n.type === 'tracker-server');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Node-RED's environment variable syntax, not a template
    assert.equal(server.port, '${TRACKER_PORT}', 'the flow keeps the variable, not the number');
  });

  it('refuses a TRACKER_PORT that a server with a fixed port in the flow would ignore, saying how to fix it', async () => {
    const flowFile = path.join(userDir, 'flows.json');
    const flow = JSON.parse(fs.readFileSync(flowFile, 'utf8'));
    for (const n of flow) if (n.type === 'tracker-server') n.port = 5999; // as older versions of npm start wrote it
    fs.writeFileSync(flowFile, JSON.stringify(flow));
    const trackerPort = await freePort();
    start({ PORT: String(await freePort()), TRACKER_PORT: String(trackerPort) });
    assert.equal(await nr.exited, 1);
    assert.match(nr.log, new RegExp(`TRACKER_PORT=${trackerPort}, but the tracker-server "trackers" .* port 5999`));
    assert.match(nr.log, /Set its port to \$\{TRACKER_PORT\} in the editor/);
  });

  it('--reset keeps the previous flow; the CSV/GPX example writes into the user directory', async () => {
    const before = fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8');
    const trackerPort = await freePort();
    start({ PORT: String(await freePort()), TRACKER_PORT: String(trackerPort), EXAMPLE: 'store-csv-gpx.json' }, [
      '--reset',
    ]);
    await nr.waitFor(trackerListening(trackerPort));
    const backups = fs.readdirSync(userDir).filter((f) => /^flows\.json\..*\.backup$/.test(f));
    assert.equal(backups.length, 1, `one backup: ${fs.readdirSync(userDir)}`);
    assert.equal(fs.readFileSync(path.join(userDir, backups[0]), 'utf8'), before, 'the backup is the previous flow');
    assert.match(nr.log, /--reset: the previous flow is kept in .*flows\.json\..*\.backup/);

    const c = await loginAcknowledged(trackerPort);
    const time = new Date();
    c.write(gt06Position({ lat: 52.52, lon: 13.405, speed: 30, course: 90, time }, 2));
    await c.waitFor(20);
    c.destroy();
    const csv = path.join(userDir, 'positions.csv');
    for (let t = 0; !fs.existsSync(csv); t++) {
      assert.ok(t < 100, 'positions.csv appears in the user directory');
      await delay(50);
    }
    assert.ok(fs.existsSync(path.join(userDir, 'tracks', `${F.IMEI}-${time.toISOString().slice(0, 10)}.gpx`)));
    assert.deepEqual(fs.readdirSync(cwd), [], 'nothing written where npm start was run');
  });
});
