'use strict';
// Shared pieces of the Node-RED tests: a runtime with its own user directory, a standard flow, waiting for the
// tracker-server to listen, collecting messages.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const helper = require('node-red-node-test-helper');

/**
 * Mocha hooks for a describe block: one Node-RED runtime with a fresh user directory (tracker-command keeps its
 * queue there) and `settings`; flows unloaded after each test, everything removed at the end.
 */
function useNodeRed(name, settings = {}) {
  let userDir;
  before(async () => {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), `nr-${name}-`));
    helper.settings({ userDir, ...settings });
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    helper.settings({});
    fs.rmSync(userDir, { recursive: true, force: true });
  });
  afterEach(() => helper.unload());
}

/** tracker-command `cmd` on server `srv` (device from msg.topic, command from msg.payload) into helper `status`. */
function commandNodes(props = {}) {
  return [
    {
      id: 'cmd',
      z: 'f1',
      type: 'tracker-command',
      server: 'srv',
      command: 'payload',
      device: 'topic',
      deviceType: 'msg',
      wires: [['status']],
      ...props,
    },
    { id: 'status', z: 'f1', type: 'helper' },
  ];
}

/** tracker-server `srv` on `port` (0: any free one), tracker-in `in` (every record) into helper `out`, and commandNodes. */
function commandFlow(port = 0, commandProps = {}) {
  return [
    { id: 'f1', type: 'tab' },
    { id: 'srv', type: 'tracker-server', port, host: '127.0.0.1' },
    { id: 'in', z: 'f1', type: 'tracker-in', server: 'srv', wires: [['out'], []] },
    { id: 'out', z: 'f1', type: 'helper' },
    ...commandNodes(commandProps),
  ];
}

/** The port the tracker-server node `id` bound (port 0 in the flow = pick a free one). */
function listeningPort(id = 'srv', ms = 3000) {
  const srv = helper.getNode(id);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('server did not start')), ms);
    const check = (s) => {
      if (s.state === 'listening') {
        clearTimeout(t);
        srv.stateEvents.off('state', check);
        resolve(s.port);
      }
    };
    srv.stateEvents.on('state', check);
    check(srv.currentState);
  });
}

/** Collects `n` messages arriving at a helper node (rejects with what did arrive after `ms`). */
function receive(nodeId, n, ms = 3000) {
  const node = helper.getNode(nodeId);
  return new Promise((resolve, reject) => {
    const got = [];
    const t = setTimeout(
      () => reject(new Error(`${nodeId}: got ${got.length}/${n}: ${JSON.stringify(got.map((m) => m.payload))}`)),
      ms,
    );
    node.on('input', (msg) => {
      got.push(msg);
      if (got.length === n) {
        clearTimeout(t);
        resolve(got);
      }
    });
  });
}

/** Everything arriving at a helper node from now on. */
function collect(id) {
  const got = [];
  helper.getNode(id).on('input', (msg) => got.push(msg));
  return got;
}

/** Everything arriving at helper nodes, by node id, from now on. */
function record(...ids) {
  return Object.fromEntries(ids.map((id) => [id, collect(id)]));
}

module.exports = { useNodeRed, commandNodes, commandFlow, listeningPort, receive, collect, record };
