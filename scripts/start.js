'use strict';
// `npm start`: an embedded Node-RED with this package and an example flow.
// Editor on http://localhost:${PORT:-1880}/, trackers on TCP/UDP ${TRACKER_PORT:-5023}, both applied on every start:
// the examples' tracker-server takes its port from ${TRACKER_PORT}.
// The flow lives in .node-red-data/flows.json (NODE_RED_USER_DIR moves it); it is created from examples/ on the first
// start (or with --reset, which first keeps the previous flow as a backup beside it) and your edits are kept after that.
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const express = require('express');
const RED = require('node-red');

const root = path.resolve(__dirname, '..');
const pkg = require(path.join(root, 'package.json'));
const userDir = path.resolve(process.env.NODE_RED_USER_DIR || path.join(root, '.node-red-data'));
const exampleFile = path.join(root, 'examples', process.env.EXAMPLE || 'map.json');
const flowFile = path.join(userDir, 'flows.json');
const credentialFile = path.join(userDir, 'flows_cred.json');

/** A TCP port from the environment, or a clear refusal. */
function portFrom(name, fallback) {
  const text = process.env[name] ?? '';
  if (text === '') return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`${name}=${text} is not a port number (1-65535)`);
  return port;
}

function fail(message) {
  console.error(`npm start: ${message}`);
  process.exit(1);
}

const editorPort = portFrom('PORT', 1880);
const trackerPortGiven = (process.env.TRACKER_PORT ?? '') !== '';
const trackerPort = portFrom('TRACKER_PORT', 5023);
// The examples' tracker-server port is "${TRACKER_PORT}": Node-RED reads it from the environment on every start.
process.env.TRACKER_PORT = String(trackerPort);

/**
 * Node-RED finds packages in <userDir>/node_modules: link this checkout there, and list it in the user directory's
 * package.json as an install would (function nodes load only listed modules: the dashboard example's does).
 */
function linkPackage() {
  const link = path.join(userDir, 'node_modules', ...pkg.name.split('/'));
  fs.mkdirSync(path.dirname(link), { recursive: true });
  let linked = false;
  try {
    linked = fs.realpathSync(link) === root;
    if (!linked) fs.rmSync(link, { recursive: true, force: true });
  } catch {
    /* not there yet */
  }
  if (!linked) fs.symlinkSync(root, link, 'dir');
  const manifestFile = path.join(userDir, 'package.json');
  let manifest = { name: 'node-red-project', description: 'A Node-RED Project', version: '0.0.1', private: true };
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  } catch {
    /* Node-RED would create it: so do we */
  }
  if (manifest.dependencies?.[pkg.name] === `file:${root}`) return;
  manifest.dependencies = { ...manifest.dependencies, [pkg.name]: `file:${root}` };
  fs.writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 4)}\n`);
}

/** --reset: the flow (and its credentials) being replaced are kept as <name>.<time>.backup beside it. */
function backUpFlow() {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const kept = [];
  for (const file of [flowFile, credentialFile]) {
    if (!fs.existsSync(file)) continue;
    const backup = `${file}.${stamp}.backup`;
    fs.renameSync(file, backup);
    kept.push(backup);
  }
  if (kept.length) console.log(`--reset: the previous flow is kept in ${kept.join(' and ')}`);
}

/** An example (a list of nodes for the import menu) turned into a flows file with one tab. */
function writeFlowFromExample() {
  const nodes = JSON.parse(fs.readFileSync(exampleFile, 'utf8'));
  const tab = { id: 'trackers-tab', type: 'tab', label: 'Trackers' };
  for (const n of nodes) if ('wires' in n || n.type === 'comment') n.z = tab.id;
  fs.writeFileSync(flowFile, JSON.stringify([tab, ...nodes], null, 2));
}

/**
 * The ports the flow's tracker-servers will listen on. A server with a fixed port while TRACKER_PORT asks for
 * another would silently keep the old port: refuse that, saying how to fix it.
 */
function trackerPorts() {
  let flow;
  try {
    flow = JSON.parse(fs.readFileSync(flowFile, 'utf8'));
  } catch {
    return [];
  }
  const servers = (Array.isArray(flow) ? flow : []).filter((n) => n.type === 'tracker-server');
  return servers.map((n) => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Node-RED's environment variable syntax, not a template
    if (String(n.port) === '${TRACKER_PORT}') return trackerPort;
    const fixed = Number(n.port);
    if (trackerPortGiven && fixed !== trackerPort)
      fail(
        `TRACKER_PORT=${trackerPort}, but the tracker-server "${n.name || n.id}" in ${flowFile} is set to port ${n.port}.\n` +
          `  Set its port to \${TRACKER_PORT} in the editor (or start without TRACKER_PORT, or with -- --reset to start over).`,
      );
    return fixed;
  });
}

/**
 * Node-RED's console log, less two start-up warnings about choices made here: projects are off on purpose, and a
 * flow that has no credentials yet has no encrypted credentials file (Node-RED writes one on the first deploy that
 * needs it). Everything else is printed as Node-RED prints it.
 */
function consoleLog(hadCredentialFile) {
  const quiet = [/^Projects disabled/, ...(hadCredentialFile ? [] : [/^Encrypted credentials not found/])];
  const names = Object.fromEntries(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'audit', 'metric'].map((n) => [RED.log[n.toUpperCase()], n]),
  );
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return () => (msg) => {
    let text = msg.msg;
    if (text instanceof Error || (text && typeof text === 'object' && text.message)) text = text.message;
    else if (typeof text === 'object') text = JSON.stringify(msg);
    if (quiet.some((re) => re.test(String(text)))) return;
    const d = new Date();
    const time = [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
    const who = msg.type ? `[${msg.type}:${msg.name || msg.id}] ` : '';
    console.log(`${d.getDate()} ${months[d.getMonth()]} ${time} - [${names[msg.level] ?? msg.level}] ${who}${text}`);
  };
}

async function main() {
  fs.mkdirSync(userDir, { recursive: true });
  linkPackage();
  if (process.argv.includes('--reset')) backUpFlow();
  if (!fs.existsSync(flowFile)) writeFlowFromExample();
  const ports = trackerPorts();
  const hadCredentialFile = fs.existsSync(credentialFile);

  const app = express();
  const server = http.createServer(app);
  RED.init(server, {
    userDir,
    flowFile,
    httpAdminRoot: '/',
    httpNodeRoot: '/',
    uiPort: editorPort,
    // relative file names in file nodes (the CSV and GPX example) land in the user directory, not in this checkout
    fileWorkingDirectory: userDir,
    credentialSecret: process.env.NODE_RED_CREDENTIAL_SECRET || 'node-red-gps-trackers-dev',
    logging: { console: { level: process.env.LOG_LEVEL || 'info', handler: consoleLog(hadCredentialFile) } },
    editorTheme: {
      tours: false,
      projects: { enabled: false },
      // PALETTE_CATALOGUES='' turns off the Flow Library catalogue (machines without internet access)
      ...(process.env.PALETTE_CATALOGUES !== undefined
        ? { palette: { catalogues: process.env.PALETTE_CATALOGUES.split(',').filter(Boolean) } }
        : {}),
    },
    telemetry: { enabled: false, updateNotification: false },
  });
  app.use('/', RED.httpAdmin);
  app.use('/', RED.httpNode);
  // The runtime first, then the port: a browser tab left open from an earlier run must not reach the editor
  // before the runtime can answer it.
  await RED.start();
  await new Promise((resolve) => {
    server.once('error', (err) =>
      fail(
        err.code === 'EADDRINUSE'
          ? `the editor port ${editorPort} is in use (another Node-RED?): stop it or choose another with PORT=...`
          : `cannot open the editor port ${editorPort}: ${err.message}`,
      ),
    );
    server.listen(editorPort, resolve);
  });
  console.log(`\nNode-RED editor: http://localhost:${editorPort}/`);
  if (ports.length)
    console.log(
      `Trackers: point them at this machine, TCP or UDP port ${[...new Set(ports)].join(', ')} (see README)\n`,
    );

  const stop = async () => {
    await RED.stop();
    server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
