'use strict';
// `npm start` brings up Node-RED with the example flow and the tracker port; a GT06 login is acknowledged.
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { tcpClient, delay, freePort } = require('../lib/clients');
const F = require('../fixtures/gt06-frames');

describe('npm start (embedded Node-RED with the example flow)', function () {
  this.timeout(60000);
  let child;
  let userDir;
  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('runs the map example, listens for trackers and acknowledges a GT06 login', async () => {
    const [editorPort, trackerPort] = [await freePort(), await freePort()];
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nr-trackers-'));
    child = spawn(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'start.js')], {
      env: { ...process.env, PORT: String(editorPort), TRACKER_PORT: String(trackerPort), NODE_RED_USER_DIR: userDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (d) => (log += d));
    child.stderr.on('data', (d) => (log += d));
    const deadline = Date.now() + 45000;
    while (!log.includes(`listening for trackers on TCP/UDP port ${trackerPort}`)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`Node-RED did not start:\n${log}`);
      await delay(100);
    }
    const c = await tcpClient(trackerPort);
    c.write(F.LOGIN);
    await c.waitFor(10);
    assert.equal(c.received.toString('hex'), F.LOGIN_ACK);
    c.destroy();
    const res = await fetch(`http://127.0.0.1:${editorPort}/flows`, { headers: { 'Node-RED-API-Version': 'v2' } });
    const { flows } = await res.json();
    assert.ok(
      flows.some((n) => n.type === 'tracker-in'),
      'the example flow is deployed',
    );
    assert.ok(
      flows.some((n) => n.type === 'worldmap'),
      'npm start runs the map example',
    );
    const map = await fetch(`http://127.0.0.1:${editorPort}/worldmap/`);
    assert.equal(map.status, 200, 'the map page is served');
    assert.match(await map.text(), /leaflet/i);
    assert.doesNotMatch(log, /\[error\]/);
  });
});
