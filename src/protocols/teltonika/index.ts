/** The Teltonika codec (FMB/FMC/FMM/FMP/TMT...): IMEI login, Codec 8/8E/16/GH3000 AVL data over TCP and UDP, commands. */
import type { Codec } from '../codec';
import { encodeTeltonikaCommand, TELTONIKA_COMMANDS } from './commands';
import { createTeltonikaState, decodeTeltonikaFrame, IMEI, type TeltonikaState } from './decoder';
import { teltonikaDevice } from './device';
import { detectTeltonika, TELTONIKA_MAX_FRAME, teltonikaFrameLength } from './frame';

export const teltonika: Codec<TeltonikaState> = {
  protocol: 'teltonika',
  maxFrameLength: TELTONIKA_MAX_FRAME,
  deviceIdPattern: IMEI,
  detect: detectTeltonika,
  frameLength: teltonikaFrameLength,
  createState: createTeltonikaState,
  decode: decodeTeltonikaFrame,
  commands: TELTONIKA_COMMANDS,
  encodeCommand: encodeTeltonikaCommand,
  // a refused IMEI is answered 00 (the device hangs up and tries again later); UDP has no such answer
  refusal: (conn) => (conn.options.transport === 'udp' ? undefined : Buffer.from([0x00])),
  device: teltonikaDevice,
};
