/** The GPS103 codec (Coban TK103A/TK103B, GPS102/103, TK106 and clones): `;`-terminated ASCII messages. */
import type { Codec } from '../codec';
import type { Gps103State } from './clock';
import { encodeGps103Command, GPS103_COMMANDS } from './commands';
import { decodeGps103Frame, IMEI } from './decoder';
import { gps103Device } from './device';
import { detectGps103, gps103FrameLength, GPS103_MAX_FRAME } from './frame';

export const gps103: Codec<Gps103State> = {
  protocol: 'gps103',
  maxFrameLength: GPS103_MAX_FRAME,
  deviceIdPattern: IMEI,
  detect: detectGps103,
  frameLength: gps103FrameLength,
  createState: () => ({}),
  decode: decodeGps103Frame,
  commands: GPS103_COMMANDS,
  encodeCommand: encodeGps103Command,
  device: gps103Device,
};
