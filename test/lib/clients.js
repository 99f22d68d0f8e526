'use strict';
// Real TCP/UDP clients on loopback for the server and Node-RED tests.
const net = require('node:net');
const dgram = require('node:dgram');

const hex = (s) => Buffer.from(s, 'hex');

/** A TCP client that collects everything the server writes back (`localAddress`: connect from it). */
async function tcpClient(port, host = '127.0.0.1', localAddress = undefined) {
  const socket = net.connect({ port, host, localAddress });
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.setNoDelay(true);
  let received = Buffer.alloc(0);
  const waiters = [];
  socket.on('data', (d) => {
    received = Buffer.concat([received, d]);
    for (const w of [...waiters]) w();
  });
  socket.on('error', () => {});
  const closed = new Promise((resolve) => socket.once('close', resolve));
  return {
    socket,
    closed,
    write: (data) => socket.write(typeof data === 'string' ? hex(data) : data),
    get received() {
      return received;
    },
    /** Resolves once at least `n` bytes came back (or rejects after `ms`). */
    waitFor(n, ms = 3000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (received.length >= n) {
            waiters.splice(waiters.indexOf(check), 1);
            clearTimeout(t);
            resolve(received);
          }
        };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(check), 1);
          reject(new Error(`timed out waiting for ${n} bytes, got ${received.toString('hex')}`));
        }, ms);
        waiters.push(check);
        check();
      });
    },
    end: () => socket.end(),
    destroy: () => socket.destroy(),
  };
}

/** A UDP client bound to an ephemeral port that collects the datagrams it gets back. */
async function udpClient(port, host = '127.0.0.1') {
  const socket = dgram.createSocket('udp4');
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const datagrams = [];
  const waiters = [];
  socket.on('message', (m) => {
    datagrams.push(m);
    for (const w of [...waiters]) w();
  });
  return {
    socket,
    datagrams,
    send: (data) =>
      new Promise((resolve, reject) =>
        socket.send(typeof data === 'string' ? hex(data) : data, port, host, (e) => (e ? reject(e) : resolve())),
      ),
    waitFor(n, ms = 3000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (datagrams.length >= n) {
            waiters.splice(waiters.indexOf(check), 1);
            clearTimeout(t);
            resolve(datagrams);
          }
        };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(check), 1);
          reject(new Error(`timed out waiting for ${n} datagrams, got ${datagrams.length}`));
        }, ms);
        waiters.push(check);
        check();
      });
    },
    close: () => new Promise((resolve) => socket.close(resolve)),
  };
}

/** Resolves with the args of the next `event` on `emitter` (rejects after `ms`). */
function nextEvent(emitter, event, ms = 3000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${event} event within ${ms} ms`)), ms);
    emitter.once(event, (...args) => {
      clearTimeout(t);
      resolve(args);
    });
  });
}

/** Collects `n` events of a kind. */
function collectEvents(emitter, event, n, ms = 3000) {
  return new Promise((resolve, reject) => {
    const got = [];
    const t = setTimeout(() => {
      emitter.off(event, on);
      reject(new Error(`got ${got.length}/${n} ${event} events`));
    }, ms);
    function on(...args) {
      got.push(args);
      if (got.length === n) {
        clearTimeout(t);
        emitter.off(event, on);
        resolve(got);
      }
    }
    emitter.on(event, on);
  });
}

const delay = (ms) => new Promise((r) => setTimeout(r, ms));

/** A port free for both TCP and UDP on this machine (the tracker server binds both). */
async function freePort() {
  for (;;) {
    const s = net.createServer();
    await new Promise((r) => s.listen(0, r));
    const { port } = s.address();
    await new Promise((r) => s.close(r));
    const u = dgram.createSocket('udp6');
    const free = await new Promise((r) => {
      u.once('error', () => r(false));
      u.bind(port, () => r(true));
    });
    await new Promise((r) => u.close(() => r()));
    if (free) return port;
  }
}

/** A TrackerServer listening on a free loopback port, TCP and UDP (the caller closes it). */
async function startServer(options = {}) {
  const { TrackerServer } = require('../../dist/index.js');
  const server = new TrackerServer({ port: 0, host: '127.0.0.1', ...options });
  await server.listen();
  return server;
}

module.exports = { hex, tcpClient, udpClient, nextEvent, collectEvents, delay, freePort, startServer };
