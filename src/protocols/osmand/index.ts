/** The OsmAnd / Traccar Client codec: HTTP requests from phone apps and scripts (docs/protocols/osmand.md). */
import { reportError, type Codec } from '../codec';
import { MAX_REQUEST_LINE } from '../common/http';
import { encodeOsmandCommand, OSMAND_COMMANDS } from './commands';
import { decodeOsmandRequest, OSMAND_DEVICE_ID, type OsmandState } from './decoder';
import { osmandDevice } from './device';
import { detectOsmand, osmandFrameLength } from './frame';

export const osmand: Codec<OsmandState> = {
  protocol: 'osmand',
  maxFrameLength: MAX_REQUEST_LINE,
  deviceIdPattern: OSMAND_DEVICE_ID,
  detect: detectOsmand,
  frameLength: osmandFrameLength,
  createState: () => ({}),
  decode: (frame, conn, out) =>
    reportError(out, conn, 'malformed', 'OsmAnd requests are read by the HTTP parser, not as frames', frame),
  decodeRequest: decodeOsmandRequest,
  commands: OSMAND_COMMANDS,
  encodeCommand: encodeOsmandCommand,
  device: osmandDevice,
};
