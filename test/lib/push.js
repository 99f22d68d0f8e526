'use strict';
// Feeding a session in pieces, as a socket does.
const { assertNoCodecException } = require('./framing');

/**
 * Every record, reply, error and answer of `pieces` pushed one after the other. The session turns a codec's
 * exception into an error record: none may happen.
 */
function pushAll(session, pieces) {
  const out = { messages: [], replies: [], errors: [], answers: [] };
  for (const p of pieces) {
    const r = session.push(p);
    for (const k of Object.keys(out)) out[k].push(...r[k]);
  }
  assertNoCodecException(session, [out]);
  return out;
}

module.exports = { pushAll };
