/**
 * Recognising an OsmAnd / Traccar Client connection (docs/protocols/osmand.md): an HTTP/1.x request line
 * (the apps send GET or POST; any method that carries the parameters counts), or the TLS ClientHello of an
 * app given an `https://` URL, which the server then answers with a clear error. There is no framing here:
 * once detected, the connection goes to Node's HTTP parser.
 */
import { Detect } from '../codec';
import { detectHttpRequest, detectTlsHello } from '../common/http';

export function detectOsmand(buf: Buffer, offset: number, end: number): Detect {
  const http = detectHttpRequest(buf, offset, end);
  return http === Detect.No ? detectTlsHello(buf, offset, end) : http;
}

/**
 * Never reached: the session hands an HTTP connection's bytes to Node's HTTP parser instead of framing them
 * (see Codec.decodeRequest). Were it called, every byte would be junk, which is what HTTP is to a framer.
 */
export function osmandFrameLength(_buf: Buffer, offset: number, end: number): number {
  return -(end - offset);
}
