'use strict';
// Shared pieces of the Node-RED tests: waiting for the tracker-server to listen, collecting messages.
const helper = require('node-red-node-test-helper');

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

module.exports = { listeningPort, receive, collect, record };
