'use strict';
// A server process for the ingestion / memory / latency benchmarks:
//   node bench/servers.js ours|proxied|raw|http <port>
// "ours": TrackerServer (all protocols, TCP only); "proxied": the same, trusting PROXY headers from 127.0.0.1.
// "raw": a plain net server that splits GT06 frames by their length byte and writes a fixed 10-byte ACK per frame:
// the ceiling any GT06 server can reach. "http": a bare Node http.Server that reads each request's body and
// answers 200 with an empty body: the ceiling of phones.
// "flows": Node-RED embedded (scripts/embed.js) running tracker-server -> tracker-in -> tracker-flags (edge mode),
// with tracker-in's events on: every record goes through the per-device state of the nodes.
// Prints "ready <port>" and then answers "mem" lines on stdin with {"rss","heapUsed","connections","cpuMicros"}
// after a GC (cpuMicros: the process's CPU time so far, user + system).
const net = require('node:net');
const readline = require('node:readline');

const [kind, portArg] = process.argv.slice(2);
const port = Number(portArg || 0);
let connections = () => 0;

async function main() {
  if (kind === 'ours' || kind === 'proxied') {
    const { TrackerServer } = require('../dist/index.js');
    const server = new TrackerServer({
      port,
      host: '127.0.0.1',
      udp: false,
      maxConnections: 100000,
      idleTimeout: 3600,
      identifyTimeout: 3600,
      trustedProxies: kind === 'proxied' ? ['127.0.0.1'] : [],
    });
    await server.listen();
    connections = () => server.stats.connections;
    process.stdout.write(`ready ${server.port}\n`);
  } else if (kind === 'flows') {
    const fs = require('node:fs');
    const os = require('node:os');
    const path = require('node:path');
    const { startNodeRed } = require('../scripts/embed');
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-flows-'));
    const flowFile = path.join(userDir, 'flows.json');
    fs.writeFileSync(
      flowFile,
      JSON.stringify([
        { id: 'f1', type: 'tab' },
        {
          id: 'srv',
          type: 'tracker-server',
          port,
          host: '127.0.0.1',
          tcp: true,
          udp: false,
          maxConnections: 100000,
          idleTimeout: 3600,
        },
        { id: 'in', z: 'f1', type: 'tracker-in', server: 'srv', filter: 'all', events: true, wires: [['flags'], []] },
        { id: 'flags', z: 'f1', type: 'tracker-flags', mode: 'edges', other: 'drop', wires: [[]] },
      ]),
    );
    const red = await startNodeRed({
      userDir,
      flowFile,
      host: '127.0.0.1',
      settings: { logging: { console: { level: 'error' } } },
    });
    let node = red.RED.nodes.getNode('srv');
    for (let i = 0; node?.currentState?.state !== 'listening'; i++) {
      if (i > 500) throw new Error(`tracker-server did not listen: ${JSON.stringify(node?.currentState)}`);
      await new Promise((r) => setTimeout(r, 20));
      node = red.RED.nodes.getNode('srv');
    }
    connections = () => node.tracker.stats.connections;
    process.on('SIGTERM', () => {
      fs.rmSync(userDir, { recursive: true, force: true });
      process.exit(0);
    });
    process.stdout.write(`ready ${node.currentState.port}\n`);
  } else if (kind === 'raw') {
    const ACK = Buffer.from('787805120001d9dc0d0a', 'hex');
    let open = 0;
    const server = net.createServer({ noDelay: true }, (socket) => {
      open++;
      let pending = null;
      socket.on('data', (chunk) => {
        const data = pending ? Buffer.concat([pending, chunk]) : chunk;
        pending = null;
        let off = 0;
        let acks = 0;
        while (off + 5 <= data.length) {
          const n = data[off + 2] + 5;
          if (off + n > data.length) break;
          off += n;
          acks++;
        }
        if (off < data.length) pending = Buffer.from(data.subarray(off));
        if (acks === 1) socket.write(ACK);
        else if (acks > 1) socket.write(Buffer.concat(Array(acks).fill(ACK)));
      });
      socket.on('error', () => {});
      socket.on('close', () => open--);
    });
    server.maxConnections = 100000;
    await new Promise((r) => server.listen(port, '127.0.0.1', r));
    connections = () => open;
    process.stdout.write(`ready ${server.address().port}\n`);
  } else if (kind === 'http') {
    const http = require('node:http');
    const server = http.createServer({ keepAliveTimeout: 60000 }, (req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-length': 0 });
        res.end();
      });
    });
    server.maxConnections = 100000;
    await new Promise((r) => server.listen(port, '127.0.0.1', r));
    connections = () => server.connections ?? 0;
    process.stdout.write(`ready ${server.address().port}\n`);
  } else throw new Error(`unknown server kind ${kind}`);

  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() !== 'mem') return;
    if (global.gc) for (let i = 0; i < 3; i++) global.gc();
    const m = process.memoryUsage();
    const c = process.cpuUsage();
    process.stdout.write(
      `${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, connections: connections(), cpuMicros: c.user + c.system })}\n`,
    );
  });
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
