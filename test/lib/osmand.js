'use strict';
// Requests for the OsmAnd codec's decodeRequest, as Node's HTTP parser delivers them; answers on the wire.
const { getCodec } = require('../../dist/index.js');
const { makeConnection, emptyOutput } = require('./vectors');

/** An HttpRequest: header names in lower case, the body as a Buffer. */
function request({ method = 'GET', url = '/', headers = {}, body = '' }) {
  const lower = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  return { method, url, headers: lower, body: Buffer.from(body) };
}

/** Decodes one request on a fresh connection: the verdict, the records, the errors and the connection. */
function decode(req, options = {}) {
  const codec = getCodec('osmand');
  const conn = makeConnection(codec, options);
  const out = emptyOutput();
  const verdict = codec.decodeRequest(request(req), conn, out);
  return { ...verdict, messages: out.messages, errors: out.errors, conn };
}

/**
 * The HTTP answers in bytes received on a connection, in order: `{status, headers, body}` each (a test reader
 * for pipelined answers; the product never parses HTTP itself).
 */
function answers(bytes) {
  const text = Buffer.isBuffer(bytes) ? bytes.toString('latin1') : bytes;
  const out = [];
  let at = 0;
  while (at < text.length) {
    const end = text.indexOf('\r\n\r\n', at);
    if (end < 0) break;
    const [statusLine, ...lines] = text.slice(at, end).split('\r\n');
    const headers = {};
    for (const l of lines) {
      const colon = l.indexOf(':');
      headers[l.slice(0, colon).trim().toLowerCase()] = l.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    out.push({ status: Number(statusLine.split(' ')[1]), headers, body: text.slice(end + 4, end + 4 + length) });
    at = end + 4 + length;
  }
  return out;
}

module.exports = { request, decode, answers };
