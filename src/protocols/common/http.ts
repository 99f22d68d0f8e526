/**
 * Recognising protocols spoken over HTTP on the shared raw TCP port: an HTTP/1.x request line, and the TLS
 * ClientHello a client sends when it was given an `https://` URL. Only recognition: the requests themselves
 * are read by Node's HTTP parser (src/server/http-intake.ts).
 */
import { Detect } from '../codec';

/** Longest request line (method, target, version) taken for HTTP; Node's parser limits the headers after it. */
export const MAX_REQUEST_LINE = 8192;

/** The methods a request may carry positions with (the parameters count, not the method). */
const METHODS = ['GET ', 'POST ', 'PUT ', 'HEAD ', 'DELETE ', 'OPTIONS ', 'PATCH '].map((m) => Buffer.from(m));
const FIRST_BYTE = new Uint8Array(256);
for (const m of METHODS) FIRST_BYTE[m[0]] = 1;
const VERSION = Buffer.from('HTTP/1.');
const ABSOLUTE = Buffer.from('http');

/** How `want` compares with buf[at, end): 1 all of it is there, 0 a prefix of it is (need more), -1 it differs. */
function prefix(buf: Buffer, at: number, end: number, want: Buffer): number {
  const n = Math.min(want.length, end - at);
  for (let i = 0; i < n; i++) if (buf[at + i] !== want[i]) return -1;
  return n === want.length ? 1 : 0;
}

/**
 * An HTTP/1.0 or 1.1 request line at `offset`: a method, one space, a target (`/...` or an absolute
 * `http...` URL) of visible ASCII, one space, `HTTP/1.0` or `HTTP/1.1`, CR LF. Nothing shorter pins a
 * connection, so junk that starts with `G` or `P` cannot. The space is found with a native search, so a
 * long target arriving in pieces is not rescanned byte by byte.
 */
export function detectHttpRequest(buf: Buffer, offset: number, end: number): Detect {
  if (!FIRST_BYTE[buf[offset]]) return Detect.No;
  let method: Buffer | undefined;
  let partial = false;
  for (const m of METHODS) {
    const p = prefix(buf, offset, end, m);
    if (p === 1) {
      method = m;
      break;
    }
    if (p === 0) partial = true;
  }
  if (!method) return partial ? Detect.More : Detect.No;
  const target = offset + method.length;
  if (target >= end) return Detect.More;
  if (buf[target] !== 0x2f) {
    const p = prefix(buf, target, end, ABSOLUTE);
    if (p < 0) return Detect.No;
    if (p === 0) return Detect.More;
  }
  const limit = Math.min(end, offset + MAX_REQUEST_LINE);
  const space = buf.indexOf(0x20, target);
  if (space < 0 || space >= limit) {
    const lf = buf.indexOf(0x0a, target);
    if (lf >= 0 && lf < limit) return Detect.No; // a line without a version: not HTTP/1.x
    return end - offset >= MAX_REQUEST_LINE ? Detect.No : Detect.More;
  }
  for (let i = target; i < space; i++) if (buf[i] < 0x21 || buf[i] > 0x7e) return Detect.No;
  const version = prefix(buf, space + 1, end, VERSION);
  if (version < 0) return Detect.No;
  const at = space + 1 + VERSION.length;
  if (version === 0 || at >= end) return Detect.More;
  if (buf[at] !== 0x30 && buf[at] !== 0x31) return Detect.No;
  if (at + 1 >= end) return Detect.More;
  if (buf[at + 1] !== 0x0d) return Detect.No;
  if (at + 2 >= end) return Detect.More;
  return buf[at + 2] === 0x0a ? Detect.Yes : Detect.No;
}

/**
 * A TLS ClientHello record at `offset` (handshake record 0x16, version 3.x, a plausible length, handshake
 * type 1): a client given an `https://` URL, which a plain tracker port cannot serve.
 */
export function detectTlsHello(buf: Buffer, offset: number, end: number): Detect {
  if (buf[offset] !== 0x16) return Detect.No;
  for (let i = 1; i < TLS_HELLO.length; i++) {
    if (offset + i >= end) return Detect.More;
    if (!TLS_HELLO[i](buf[offset + i])) return Detect.No;
  }
  return Detect.Yes;
}

/** The first six bytes of a ClientHello record, each by its rule. */
const TLS_HELLO: readonly ((b: number) => boolean)[] = [
  (b) => b === 0x16, // handshake record
  (b) => b === 0x03, // TLS / SSL 3.x
  (b) => b <= 0x04,
  (b) => b <= 0x48, // record length below 2^14 + 2048
  () => true,
  (b) => b === 0x01, // ClientHello
];

/** Whether a connection's first bytes are a TLS handshake (see detectTlsHello). */
export function isTlsHello(head: Buffer): boolean {
  return detectTlsHello(head, 0, head.length) === Detect.Yes;
}
