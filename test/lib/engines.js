'use strict';
// Real engines for the cluster tests and benchmarks: Mosquitto and HAProxy from the system (Debian packages,
// installed by .ci/run), each started on a free loopback port with a temporary configuration.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { freePort, delay } = require('./clients');

/** The path of an engine's binary (PATH, then /usr/sbin), or undefined. */
function findBinary(name) {
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin']) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** Why the engines cannot run here, or undefined when both are installed. */
function missingEngines(...names) {
  const missing = names.filter((n) => !findBinary(n));
  return missing.length
    ? `${missing.join(' and ')} not installed (apt-get install ${missing.join(' ')}; .ci/run does)`
    : undefined;
}

/** Resolves once something accepts TCP connections on the port. */
async function waitForPort(port, ms = 10000, child) {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (child && child.exitCode !== null) throw new Error(`${child.spawnfile} exited (${child.exitCode})`);
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after ${ms} ms`);
    await delay(50);
  }
}

function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Engines still running: ended when this process exits, however the test or benchmark ends. */
const running = new Set();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Runs a process; `stop()` ends it (SIGTERM, then SIGKILL) and resolves when it exited. */
function run(binary, args, logFile) {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(binary, args, { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  running.add(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  exited.then(() => running.delete(child));
  return {
    child,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

/**
 * A Mosquitto broker on a free loopback port, anonymous, without persistence (a restart loses retained messages
 * and sessions: the instances must put back what they stand for), with Nagle's algorithm off on its client sockets
 * unless `noDelay` is false (Mosquitto's default). `restart()` stops and starts it on the same port.
 */
async function startMosquitto({ noDelay = true } = {}) {
  const binary = findBinary('mosquitto');
  const dir = tempDir('mosquitto-');
  const port = await freePort();
  const conf = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'max_queued_messages 0',
      `set_tcp_nodelay ${noDelay}`,
      'log_dest stderr',
      'log_type error',
      'log_type warning',
    ].join('\n'),
  );
  const log = path.join(dir, 'mosquitto.log');
  let proc;
  const launch = async () => {
    proc = run(binary, ['-c', conf], log);
    try {
      await waitForPort(port, 10000, proc.child);
    } catch (err) {
      await proc.stop();
      throw new Error(`${err.message}:\n${fs.readFileSync(log, 'utf8')}`);
    }
  };
  await launch();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    log: () => fs.readFileSync(log, 'utf8'),
    async restart(downMs = 200) {
      await proc.stop();
      await delay(downMs);
      await launch();
    },
    async stop() {
      await proc.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * HAProxy on a free loopback port, TCP mode, round robin over `servers` ([{name, port}]), each sent a PROXY v2
 * header (`sendProxy`: 'v2' default, 'v1', or false), health-checked every 200 ms; a failed server's clients are
 * sent to the others (redispatch).
 */
async function startHaproxy({ servers, sendProxy = 'v2', port: wanted } = {}) {
  const binary = findBinary('haproxy');
  const dir = tempDir('haproxy-');
  const port = wanted ?? (await freePort());
  const proxy = sendProxy === 'v2' ? ' send-proxy-v2' : sendProxy === 'v1' ? ' send-proxy' : '';
  const cfg = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(
    cfg,
    [
      'global',
      '  maxconn 8000', // 2 fds each, within a common 20000 open-file limit
      'defaults',
      '  mode tcp',
      '  timeout connect 1s',
      '  timeout client 1h',
      '  timeout server 1h',
      '  retries 3',
      '  option redispatch',
      'frontend trackers',
      `  bind 127.0.0.1:${port}`,
      '  default_backend instances',
      'backend instances',
      '  balance roundrobin',
      ...servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port}${proxy} check inter 200ms fall 1 rise 1`),
      '',
    ].join('\n'),
  );
  execFileSync(binary, ['-c', '-q', '-f', cfg]); // a configuration error shows here, not as a silent exit
  const log = path.join(dir, 'haproxy.log');
  const proc = run(binary, ['-db', '-f', cfg], log);
  try {
    await waitForPort(port, 10000, proc.child);
  } catch (err) {
    await proc.stop();
    throw new Error(`${err.message}:\n${fs.readFileSync(log, 'utf8')}`);
  }
  return {
    port,
    log: () => fs.readFileSync(log, 'utf8'),
    async stop() {
      await proc.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { findBinary, missingEngines, startMosquitto, startHaproxy, waitForPort };
