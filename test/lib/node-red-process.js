'use strict';
// Node-RED as a user runs it, in a child process: `npm start` (scripts/start.js) or node-red's own red.js.
// Collects the log, waits for lines in it, and stops the process at the end.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { delay } = require('./clients');

const START = path.join(__dirname, '..', '..', 'scripts', 'start.js');

/**
 * Starts `node <script> ...args` with `env` added to the environment. Returns the child, its log so far,
 * `waitFor(text|RegExp, ms)` and `stop()` (SIGTERM, resolves on exit).
 */
function run(script, { args = [], env = {}, cwd } = {}) {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, ...env },
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    get log() {
      return log;
    },
    /** Resolves once the log contains `what`; rejects (with the log) when the process ends or `ms` pass first. */
    async waitFor(what, ms = 30000) {
      const found = () => (typeof what === 'string' ? log.includes(what) : what.test(log));
      const deadline = Date.now() + ms;
      while (!found()) {
        if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) before "${what}":\n${log}`);
        if (Date.now() > deadline) throw new Error(`no "${what}" within ${ms} ms:\n${log}`);
        await delay(50);
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** `npm start` with the given environment (PORT, TRACKER_PORT, NODE_RED_USER_DIR, EXAMPLE...). */
function npmStart(options = {}) {
  return run(START, options);
}

/** The tracker port a running start.js listens on, once its tracker-server said so. */
function trackerListening(port) {
  return `listening for trackers on TCP/UDP port ${port}`;
}

/**
 * Modules for function nodes (`libs`), as if Node-RED had installed them into the user directory on deploy:
 * listed in its package.json and linked from this checkout's node_modules (no download during the tests).
 */
function functionModules(userDir, names) {
  const root = path.join(__dirname, '..', '..');
  const dependencies = {};
  for (const name of names) {
    const from = path.join(root, 'node_modules', name);
    dependencies[name] = require(path.join(from, 'package.json')).version;
    fs.mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });
    fs.symlinkSync(from, path.join(userDir, 'node_modules', name), 'dir');
  }
  fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', dependencies }));
}

module.exports = { run, npmStart, trackerListening, functionModules };
