'use strict';
// The package as a user installs it before it is on the npm registry: `npm pack`, then the .tgz installed with npm
// into a clean Node-RED user directory (the README's route; the palette manager's "Upload module" runs the same
// npm install in the same directory). Node-RED, started from that directory, must serve every node type with its editor,
// help, messages and icon, and the examples; an example deployed from the installed copy serves the installed
// tracker-sim's devices; the library and tracker-decode work from the install. Catches files missing from `files`.
const assert = require('node:assert/strict');
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('../lib/clients');
const { run } = require('../lib/node-red-process');
const F = require('../fixtures/gt06-frames');

const ROOT = path.join(__dirname, '..', '..');
const pkg = require(path.join(ROOT, 'package.json'));
const RED_JS = require.resolve('node-red/red.js');
const TYPES = Object.keys(pkg['node-red'].nodes);
const EXAMPLES = fs.readdirSync(path.join(ROOT, 'examples')).map((f) => f.replace(/\.json$/, ''));
// npm with its cache warmed by `npm ci`: offline when it can be, the registry for what the cache lacks
const NPM_QUIET = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

/** A Node-RED user directory as `node-red` makes it for a new user: just a package.json. */
function newUserDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nr-installed-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }));
  return dir;
}

/** Node-RED as `node-red -u <dir> -p <port>` starts it (its own settings file, created in the directory). */
async function nodeRed(userDir, env = {}) {
  const port = await freePort();
  const nr = run(RED_JS, { args: ['--userDir', userDir, '--port', String(port)], env });
  await nr.waitFor('Server now running at', 45000);
  const get = (p, headers = {}) => fetch(`http://127.0.0.1:${port}${p}`, { headers });
  return { nr, port, get };
}

/** What Node-RED's admin API says about our module: its node types, each with editor, help, messages and icon. */
async function checkServed(get) {
  const sets = (await (await get('/nodes', { Accept: 'application/json' })).json()).filter(
    (s) => s.module === pkg.name,
  );
  assert.deepEqual(sets.flatMap((s) => s.types).sort(), [...TYPES].sort(), 'every node type is registered');
  for (const s of sets) assert.ok(s.enabled && !s.err, `${s.id}: ${s.err}`);
  const html = await (await get('/nodes', { Accept: 'text/html' })).text();
  for (const type of TYPES) {
    assert.match(html, new RegExp(`data-template-name="${type}"`), `${type}: edit dialog`);
    assert.match(html, new RegExp(`data-help-name="${type}"`), `${type}: help`);
  }
  const messages = await (await get('/nodes/messages?lng=en-US', { Accept: 'application/json' })).json();
  for (const type of TYPES)
    assert.ok(messages[`${pkg.name}/${type}`]?.[type]?.label, `${type}: messages (labels) in ${Object.keys(messages)}`);
  const icons = await (await get('/icons', { Accept: 'application/json' })).json();
  assert.deepEqual(icons[pkg.name], ['gps-tracker.svg']);
  const icon = await get(`/icons/${pkg.name}/gps-tracker.svg`);
  assert.equal(icon.status, 200);
  assert.match(await icon.text(), /<svg/);
}

describe('the packed package installed into a clean Node-RED user directory', function () {
  this.timeout(120000);
  let packDir;
  let tarball;
  const cleanup = [];
  before(() => {
    packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nr-pack-'));
    cleanup.push(packDir);
    // `npm pack` builds first (prepack); npm test has just built, so the scripts are skipped here
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], {
        cwd: ROOT,
        encoding: 'utf8',
      }),
    );
    tarball = path.join(packDir, packed.filename);
  });
  after(() => {
    for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('npm install <tgz>: Node-RED serves every node, its help, messages, icon and the examples; an installed example serves the installed tracker-sim', async () => {
    const userDir = newUserDir();
    cleanup.push(userDir);
    execFileSync('npm', ['install', ...NPM_QUIET, tarball], { cwd: userDir, stdio: 'pipe' });
    const installed = path.join(userDir, 'node_modules', ...pkg.name.split('/'));
    const trackerPort = await freePort();
    const { nr, get, port } = await nodeRed(userDir, { TRACKER_PORT: String(trackerPort) });
    try {
      await checkServed(get);
      // the examples, as the Import dialog lists and loads them (Import > Examples > the module)
      const listed = await (await get(`/library/examples/flows/${pkg.name}`)).json();
      assert.deepEqual(listed.map((e) => e.fn).sort(), [...EXAMPLES].sort());
      const example = await (await get(`/library/examples/flows/${pkg.name}/receive-positions`)).json();

      // deployed (as an import and a deploy would), it serves the installed simulator's devices on TRACKER_PORT
      const tab = { id: 'tab', type: 'tab', label: 'installed' };
      const flow = [tab, ...example.map((n) => ('wires' in n || n.type === 'comment' ? { ...n, z: tab.id } : n))];
      const posted = await fetch(`http://127.0.0.1:${port}/flows`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
        body: JSON.stringify(flow),
      });
      assert.equal(posted.status, 204);
      await nr.waitFor(`listening for trackers on TCP/UDP port ${trackerPort}`);
      const sim = spawnSync(
        path.join(userDir, 'node_modules', '.bin', 'tracker-sim'),
        ['--devices', '3', '--rate', '10', '--duration', '1.5', '--json'],
        { env: { ...process.env, TRACKER_PORT: String(trackerPort) }, encoding: 'utf8' },
      );
      assert.equal(sim.status, 0, sim.stderr);
      const summary = JSON.parse(sim.stdout);
      assert.equal(summary.counters.logins, 3);
      assert.equal(summary.counters.wrongReplies, 0);
      assert.ok(summary.counters.positionsAcked > 5);
      const server = example.find((n) => n.type === 'tracker-server');
      const { stats } = await (await get(`/tracker-server/${server.id}/devices`)).json();
      assert.ok(stats, 'the installed server reports its figures');

      // the library and tracker-decode from the install
      const lib = require(installed);
      assert.equal(
        lib.createSession({ protocol: 'auto' }).push(Buffer.from(F.LOGIN, 'hex')).messages[0].deviceId,
        F.IMEI,
      );
      const decoded = spawnSync(path.join(userDir, 'node_modules', '.bin', 'tracker-decode'), [], {
        input: `${F.LOGIN}\n`,
        encoding: 'utf8',
      });
      assert.equal(decoded.status, 0, decoded.stderr);
      assert.deepEqual(JSON.parse(decoded.stdout).replies, [F.LOGIN_ACK]);
      assert.doesNotMatch(nr.log, /\[error\]/);
    } finally {
      await nr.stop();
    }
  });
});
