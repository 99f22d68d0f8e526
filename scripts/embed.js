'use strict';
// Node-RED embedded in this process, with this checkout installed as a package: the cluster test
// (test/lib/red-process.js) runs it this way; `npm start` (start.js) links the package the same way.
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const express = require('express');
const RED = require('node-red');

const root = path.resolve(__dirname, '..');
const pkg = require(path.join(root, 'package.json'));

/**
 * Node-RED finds packages in <userDir>/node_modules: link this checkout there, and list it in the user directory's
 * package.json as an install would (function nodes load only listed modules: the dashboard example's does).
 */
function linkPackage(userDir) {
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

/**
 * Starts Node-RED with the flows in `flowFile`, then opens the editor port (0: any free one): the runtime first, so
 * that a browser tab left open from an earlier run cannot reach the editor before the runtime can answer it.
 * `settings` are added to the defaults below. Resolves with {RED, port, stop()}; rejects with the listen error.
 */
async function startNodeRed({ userDir, flowFile, port = 0, host, settings = {} }) {
  fs.mkdirSync(userDir, { recursive: true });
  linkPackage(userDir);
  const app = express();
  const server = http.createServer(app);
  RED.init(server, {
    userDir,
    flowFile,
    httpAdminRoot: '/',
    httpNodeRoot: '/',
    uiPort: port,
    credentialSecret: process.env.NODE_RED_CREDENTIAL_SECRET || 'node-red-gps-trackers-dev',
    logging: { console: { level: process.env.LOG_LEVEL || 'info' } },
    editorTheme: { tours: false, projects: { enabled: false } },
    telemetry: { enabled: false, updateNotification: false },
    ...settings,
  });
  app.use('/', RED.httpAdmin);
  app.use('/', RED.httpNode);
  await RED.start();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    RED,
    port: server.address().port,
    async stop() {
      await RED.stop();
      server.close();
    },
  };
}

module.exports = { linkPackage, startNodeRed };
