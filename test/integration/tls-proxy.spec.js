'use strict';
// The README's TLS-terminating proxies in front of the tracker port, with the real engines (nginx, Caddy): a
// phone posting to https://... through the proxy is served by the plain tracker port, token and all. Each
// proxy's test is skipped, saying so, when its program (or openssl, for nginx's certificate) is not installed.
const assert = require('node:assert/strict');
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const https = require('node:https');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { TrackerServer } = require('../../dist/index.js');
const { freePort, delay } = require('../lib/clients');

function installed(program) {
  try {
    execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Resolves once something accepts TCP connections on the port (rejects after `ms`). */
async function accepting(port, child, ms = 15000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the proxy exited with ${child.exitCode}`);
    const ok = await new Promise((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await delay(100);
  }
  throw new Error(`nothing listens on ${port}`);
}

/** A Traccar Client 9 JSON POST over HTTPS (the proxy's certificate is self-made: not checked). */
function post(port, pathAndQuery, deviceId) {
  const body = JSON.stringify({
    location: { timestamp: '2025-06-15T13:45:12.862Z', coords: { latitude: 52.52, longitude: 13.405, speed: 2 } },
    device_id: deviceId,
  });
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        path: pathAndQuery,
        method: 'POST',
        rejectUnauthorized: false,
        // the name the site is configured for, as a phone given https://localhost:<port> sends it
        headers: {
          Host: `localhost:${port}`,
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const PROXIES = {
  nginx: {
    programs: ['nginx', 'openssl'],
    start(dir, port, trackerPort) {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-keyout',
          path.join(dir, 'key.pem'),
          '-out',
          path.join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      // the README's server block, in a configuration that runs from a temporary folder
      const conf = `
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events {}
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate     ${dir}/cert.pem;
    ssl_certificate_key ${dir}/key.pem;
    location / {
      proxy_pass http://127.0.0.1:${trackerPort};
      proxy_http_version 1.1;
    }
  }
}
`;
      fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
      return spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: 'ignore' });
    },
  },
  caddy: {
    programs: ['caddy'],
    start(dir, port, trackerPort) {
      // the README's site block, with a certificate from Caddy's own local CA instead of a public one
      const conf = `{
\tadmin off
\tskip_install_trust
\tauto_https disable_redirects
\tstorage file_system ${dir}/data
}
https://localhost:${port} {
\ttls internal
\treverse_proxy 127.0.0.1:${trackerPort}
}
`;
      fs.writeFileSync(path.join(dir, 'Caddyfile'), conf);
      return spawn('caddy', ['run', '--config', path.join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], {
        stdio: 'ignore',
        env: { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
      });
    },
  },
};

describe('a TLS-terminating proxy in front of the tracker port (real nginx and Caddy)', function () {
  this.timeout(30000);
  for (const [name, proxy] of Object.entries(PROXIES)) {
    it(`${name}: a phone posting to https:// is served, its token passed through, a wrong one refused`, async function () {
      const missing = proxy.programs.filter((p) => !installed(p));
      if (missing.length) {
        console.log(`      skipped: ${missing.join(', ')} not installed (apt-get install nginx-light caddy openssl)`);
        this.skip();
      }
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tls-${name}-`));
      fs.chmodSync(dir, 0o777); // nginx's workers may run as another user
      const server = new TrackerServer({ port: 0, host: '127.0.0.1', udp: false, httpToken: 'sesame' });
      await server.listen();
      const got = [];
      server.on('message', (m, peer) => got.push([m, peer]));
      const port = await freePort();
      const child = proxy.start(dir, port, server.port);
      try {
        await accepting(port, child);
        // Caddy accepts connections before its local CA has issued the certificate: retry the handshake a while
        let ok;
        for (const deadline = Date.now() + 15000; !ok; ) {
          ok = await post(port, '/?token=sesame', '48241179').catch((err) => {
            if (Date.now() > deadline) throw err;
            return delay(200).then(() => undefined);
          });
        }
        assert.deepEqual([ok.status, ok.body], [200, '']);
        const refused = await post(port, '/?token=guess', '48241179');
        assert.equal(refused.status, 403);
        assert.equal(got.length, 1);
        const [m, peer] = got[0];
        assert.deepEqual([m.protocol, m.deviceId, m.lat, m.lon], ['osmand', '48241179', 52.52, 13.405]);
        assert.equal(peer.remoteAddress, '127.0.0.1', 'the proxy is what the tracker port sees');
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
        await server.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
