'use strict';
// Helpers to run a benchmark server in its own process and talk to it.
const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');

/** Starts bench/servers.js; resolves with {port, mem(), stop()} once it listens. */
function startServer(kind, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, path.join(__dirname, 'servers.js'), kind, '0'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout });
  const waiters = [];
  lines.on('line', (l) => waiters.shift()?.(l));
  const next = () => new Promise((resolve) => waiters.push(resolve));
  return next().then((first) => {
    const m = /^ready (\d+)$/.exec(first);
    if (!m) throw new Error(`server said: ${first}`);
    return {
      port: Number(m[1]),
      async mem() {
        const reply = next();
        child.stdin.write('mem\n');
        return JSON.parse(await reply);
      },
      stop() {
        return new Promise((resolve) => {
          child.once('exit', resolve);
          child.kill('SIGTERM');
        });
      },
    };
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The p-th percentile of `xs` by nearest rank (p 100: the largest), null when there is none. */
function percentile(xs, p) {
  if (!xs.length) return null;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

module.exports = { startServer, median, percentile };
