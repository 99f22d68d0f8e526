/**
 * The PROXY protocol on live sockets: reading the header a trusted balancer sends before anything else, and
 * screening other connections for a header they may not send. Small, so the server's accept path stays short.
 */
import type { Socket } from 'node:net';
import { type ProxyEndpoint, parseProxyHeader, proxySignature } from './proxy-protocol';

/**
 * A trusted balancer sends its header as it connects; one that has not within this time (or the server's
 * identifyTimeout, if shorter) is refused.
 */
export const PROXY_HEADER_TIMEOUT_MS = 5000;

export type ProxyHeaderOutcome =
  /** `source`: the client's real endpoint (undefined for LOCAL / UNKNOWN); `rest`: bytes after the header. */
  { ok: true; source: ProxyEndpoint | undefined; rest: Buffer } | { ok: false; reason: string };

/**
 * Reads the PROXY header from a socket before anything else sees a byte. Calls `done` once: with the real
 * source, or with the reason to refuse (malformed, too long, no header, too slow, closed). The caller closes.
 */
export function readProxyHeader(socket: Socket, timeoutMs: number, done: (outcome: ProxyHeaderOutcome) => void): void {
  let buffered: Buffer = Buffer.alloc(0);
  let finished = false;
  const finish = (outcome: ProxyHeaderOutcome) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('close', onClose);
    done(outcome);
  };
  const onData = (chunk: Buffer) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    const r = parseProxyHeader(buffered);
    if (r.state === 'partial') return;
    if (r.state === 'invalid') {
      finish({ ok: false, reason: r.reason });
      return;
    }
    finish({ ok: true, source: r.command === 'proxy' ? r.source : undefined, rest: buffered.subarray(r.length) });
  };
  const onClose = () => finish({ ok: false, reason: 'closed before its PROXY header was complete' });
  const timer = setTimeout(
    () => finish({ ok: false, reason: `no complete PROXY header within ${timeoutMs / 1000} s` }),
    timeoutMs,
  );
  timer.unref();
  socket.on('data', onData);
  socket.once('close', onClose);
}

/**
 * Wraps a connection's data handler so that a PROXY header at its very start calls `refuse` instead (only
 * trusted balancers may send one: anyone else could claim any address). Up to 11 bytes wait until they tell.
 */
export function screenProxyHeader(pass: (chunk: Buffer) => void, refuse: () => void): (chunk: Buffer) => void {
  let pending: Buffer | 'open' | 'refused' = Buffer.alloc(0);
  return (chunk) => {
    if (pending === 'open') {
      pass(chunk);
      return;
    }
    if (pending === 'refused') return;
    const data = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    const signature = proxySignature(data);
    if (signature === 'maybe') pending = data;
    else if (signature === 'header') {
      pending = 'refused';
      refuse();
    } else {
      pending = 'open';
      pass(data);
    }
  };
}
