'use strict';
// Node-RED embedded in this process, with this checkout installed as a package: `npm start` and the cluster
// test (test/lib/red-process.js) run it this way.
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const express = require('express');
const RED = require('node-red');

const root = path.resolve(__dirname, '..');
const pkg = require(path.join(root, 'package.json'));

/** Node-RED finds packages in <userDir>/node_modules: link this checkout there. */
function linkPackage(userDir) {
  const link = path.join(userDir, 'node_modules', ...pkg.name.split('/'));
  fs.mkdirSync(path.dirname(link), { recursive: true });
  try {
    if (fs.realpathSync(link) === root) return;
    fs.rmSync(link, { recursive: true, force: true });
  } catch {
    /* not there yet */
  }
  fs.symlinkSync(root, link, 'dir');
}

/**
 * Starts Node-RED on `port` (0: any free one) with the flows in `flowFile`; `settings` are added to the
 * defaults below. Resolves with {RED, port, stop()} once the runtime has started.
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
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  await RED.start();
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
