'use strict';
// A throwaway PostgreSQL cluster with PostGIS for a test: initdb in a temporary directory, pg_ctl on a free port of
// loopback, trust authentication, removed afterwards. As root, the server runs as the `postgres` user (PostgreSQL
// refuses to run as root). `findPostgres()` says why it cannot run when the binaries or PostGIS are missing.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('./clients');

/** The directory of initdb/pg_ctl: on PATH, else Debian's /usr/lib/postgresql/<newest>/bin. */
function binDir() {
  for (const dir of (process.env.PATH || '').split(path.delimiter))
    if (dir && fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl')))
      return fs.realpathSync(path.dirname(fs.realpathSync(path.join(dir, 'pg_ctl'))));
  const debian = '/usr/lib/postgresql';
  const versions = fs.existsSync(debian)
    ? fs
        .readdirSync(debian)
        .filter((v) => fs.existsSync(path.join(debian, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return versions.length ? path.join(debian, versions[0], 'bin') : undefined;
}

/** The user the server runs as when we are root. */
function serverUser() {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: 'pipe' }));
    return { name: 'postgres', uid: id('-u'), gid: id('-g') };
  } catch {
    return null;
  }
}

/** {bin, user} when a cluster can be started here, else {missing: why}. */
function findPostgres() {
  const bin = binDir();
  if (!bin) return { missing: 'PostgreSQL is not installed (apt-get install postgresql postgresql-postgis)' };
  const sharedir = execFileSync(path.join(bin, 'pg_config'), ['--sharedir'], { encoding: 'utf8' }).trim();
  if (!fs.existsSync(path.join(sharedir, 'extension', 'postgis.control')))
    return { missing: `PostGIS is not installed for ${sharedir} (apt-get install postgresql-postgis)` };
  const user = serverUser();
  if (user === null) return { missing: 'running as root and there is no postgres user to run the server as' };
  return { bin, user };
}

/** Starts a cluster; resolves to {port, env (PGHOST/PGPORT/PGUSER/PGDATABASE), stop()}. */
async function startPostgres({ bin, user }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-test-'));
  const data = path.join(dir, 'data');
  fs.mkdirSync(data);
  if (user) {
    fs.chownSync(dir, user.uid, user.gid);
    fs.chownSync(data, user.uid, user.gid);
  }
  const as = (cmd, args) =>
    user ? execFileSync('runuser', ['-u', user.name, '--', cmd, ...args], opts) : execFileSync(cmd, args, opts);
  const opts = { cwd: dir, stdio: 'pipe', encoding: 'utf8' };
  const port = await freePort();
  as(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const settings = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  as(path.join(bin, 'pg_ctl'), ['-D', data, '-o', settings, '-l', path.join(dir, 'log'), '-w', '-t', '30', 'start']);
  return {
    port,
    env: { PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: 'postgres', PGDATABASE: 'postgres' },
    log: () => fs.readFileSync(path.join(dir, 'log'), 'utf8'),
    stop() {
      try {
        as(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

module.exports = { findPostgres, startPostgres };
