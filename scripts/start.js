'use strict';
// `npm start`: an embedded Node-RED with this package and an example flow.
// Editor on http://localhost:${PORT:-1880}/, trackers on TCP/UDP ${TRACKER_PORT:-5023}.
// The flow lives in .node-red-data/flows.json (NODE_RED_USER_DIR moves it); it is created from examples/ on the first start
// (or with --reset) and your edits are kept after that.
const fs = require('node:fs');
const path = require('node:path');
const { startNodeRed } = require('./embed');

const root = path.resolve(__dirname, '..');
const userDir = path.resolve(process.env.NODE_RED_USER_DIR || path.join(root, '.node-red-data'));
const editorPort = Number(process.env.PORT || 1880);
const trackerPort = Number(process.env.TRACKER_PORT || 5023);
const exampleFile = path.join(root, 'examples', process.env.EXAMPLE || 'map.json');
const flowFile = path.join(userDir, 'flows.json');

/** An example (a list of nodes for the import menu) turned into a flows file with one tab. */
function writeFlowFromExample() {
  const nodes = JSON.parse(fs.readFileSync(exampleFile, 'utf8'));
  const tab = { id: 'trackers-tab', type: 'tab', label: 'Trackers' };
  for (const n of nodes) {
    if (n.type === 'tracker-server') n.port = trackerPort;
    if ('wires' in n || n.type === 'comment') n.z = tab.id;
  }
  fs.writeFileSync(flowFile, JSON.stringify([tab, ...nodes], null, 2));
}

async function main() {
  fs.mkdirSync(userDir, { recursive: true });
  if (process.argv.includes('--reset') || !fs.existsSync(flowFile)) writeFlowFromExample();
  const red = await startNodeRed({
    userDir,
    flowFile,
    port: editorPort,
    settings: {
      editorTheme: {
        tours: false,
        projects: { enabled: false },
        // PALETTE_CATALOGUES='' turns off the Flow Library catalogue (machines without internet access)
        ...(process.env.PALETTE_CATALOGUES !== undefined
          ? { palette: { catalogues: process.env.PALETTE_CATALOGUES.split(',').filter(Boolean) } }
          : {}),
      },
    },
  });
  console.log(`\nNode-RED editor: http://localhost:${editorPort}/`);
  console.log(`Trackers: point them at this machine, TCP or UDP port ${trackerPort} (see README)\n`);

  const stop = async () => {
    await red.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
