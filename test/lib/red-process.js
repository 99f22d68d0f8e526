'use strict';
// A whole Node-RED instance in a child process (Node-RED is one runtime per process), driven over IPC: the
// parent injects messages into nodes, receives every message that reaches the "tap" nodes, asks a
// tracker-server for its devices and cluster state, and can kill the process outright.
//   parent: const red = await startRedProcess({ flows, env, settings, taps: ['events', ...] })
const { fork } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

if (require.main === module) runChild();

/** Parent side: starts the child, resolves once its flows run. */
function startRedProcess({ flows, env = {}, settings = {}, taps = [], name = 'red' }) {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), `nr-${name}-`));
  const flowFile = path.join(userDir, 'flows.json');
  fs.writeFileSync(flowFile, JSON.stringify(flows));
  const logFile = path.join(userDir, 'node-red.log');
  const log = fs.openSync(logFile, 'a');
  const child = fork(__filename, [], {
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', log, log, 'ipc'],
  });
  fs.closeSync(log);
  const received = Object.fromEntries(taps.map((t) => [t, []]));
  const replies = new Map();
  let nextCall = 1;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const red = {
    name,
    child,
    received,
    log: () => fs.readFileSync(logFile, 'utf8'),
    /** Sends `msg` into node `id` (as if a wire delivered it). */
    inject(id, msg) {
      child.send({ inject: id, msg });
    },
    /** {devices, stats, cluster, holder} of the tracker-server node `id` (holder: where `deviceId` is). */
    server(deviceId, id = 'srv') {
      const call = nextCall++;
      return new Promise((resolve, reject) => {
        replies.set(call, resolve);
        child.send({ call, server: id, deviceId }, (err) => err && reject(err));
      });
    },
    /** SIGKILL: no close handlers, no goodbye to the broker (its last will speaks for it). */
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.send({ stop: true });
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
  child.on('message', (m) => {
    if (m.tap) received[m.tap]?.push(m.msg);
    else if (m.reply) replies.get(m.reply)?.(m.value);
  });
  return new Promise((resolve, reject) => {
    const onExit = (code) => reject(new Error(`${name} exited (${code}) while starting:\n${red.log()}`));
    child.once('exit', onExit);
    child.once('message', function ready(m) {
      if (!m.ready) return child.once('message', ready);
      child.off('exit', onExit);
      resolve(red);
    });
    child.send({ start: { userDir, flowFile, settings, taps } });
  });
}

function runChild() {
  const { startNodeRed } = require('../../scripts/embed');
  let red;
  process.on('message', async (m) => {
    try {
      if (m.start) {
        const { userDir, flowFile, settings, taps } = m.start;
        const started = new Promise((resolve) => require('node-red').events.once('flows:started', resolve));
        red = await startNodeRed({ userDir, flowFile, host: '127.0.0.1', settings });
        await started;
        for (const id of taps) {
          const node = red.RED.nodes.getNode(id);
          if (!node) throw new Error(`no node ${id} to tap`);
          node.on('input', (msg) => process.send({ tap: id, msg: JSON.parse(JSON.stringify(msg)) }));
        }
        process.send({ ready: true });
      } else if (m.inject) {
        red.RED.nodes.getNode(m.inject).receive(m.msg);
      } else if (m.server) {
        const tracker = red.RED.nodes.getNode(m.server)?.tracker;
        process.send({
          reply: m.call,
          value: tracker && {
            devices: tracker.devices(),
            stats: tracker.stats,
            cluster: tracker.cluster?.stats(),
            holder: m.deviceId && tracker.cluster?.holder(m.deviceId),
          },
        });
      } else if (m.stop) {
        await red.stop();
        process.exit(0);
      }
    } catch (err) {
      console.error(err);
      process.exit(1);
    }
  });
}

module.exports = { startRedProcess };
