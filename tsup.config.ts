import { defineConfig } from 'tsup';

// Two builds: the library (named exports, plus the CLIs) into dist/, and the Node-RED node files into
// nodes/, beside their hand-written .html, icons/ and locales/ (the only place Node-RED looks for them).
// Node files need `module.exports = function (RED) {...}`: that takes cjsInterop together with splitting.
// clean stays false: any clean pattern wiped the hand-written files in nodes/.
export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      'cli/tracker-decode': 'src/cli/tracker-decode.ts',
      'cli/tracker-sim': 'src/cli/tracker-sim.ts',
    },
    outDir: 'dist',
    format: ['cjs'],
    target: 'node20',
    dts: { entry: { index: 'src/index.ts' } },
    sourcemap: true,
    clean: true,
  },
  {
    entry: {
      'tracker-server': 'src/nodes/tracker-server.ts',
      'tracker-in': 'src/nodes/tracker-in.ts',
      'tracker-command': 'src/nodes/tracker-command.ts',
      'tracker-flags': 'src/nodes/tracker-flags.ts',
      'tracker-geofence': 'src/nodes/tracker-geofence.ts',
    },
    outDir: 'nodes',
    format: ['cjs'],
    target: 'node20',
    cjsInterop: true,
    splitting: true,
    clean: false,
    external: ['node-red'],
  },
]);
