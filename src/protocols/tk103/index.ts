/** The TK103 codec (`(`-framed text of TK103-family car trackers, fixed and comma forms): decoding, replies, commands. */
import type { Codec } from '../codec';
import { encodeTk103Command, TK103_COMMANDS } from './commands';
import { decodeTk103Frame, type Tk103State } from './decoder';
import { tk103Device } from './device';
import { tk103Flags } from './flags';
import { detectTk103, tk103FrameLength, TK103_MAX_FRAME } from './frame';

export const tk103: Codec<Tk103State> = {
  protocol: 'tk103',
  maxFrameLength: TK103_MAX_FRAME,
  /** Usually `0` and 11 IMEI digits; letters occur. */
  deviceIdPattern: /^[0-9A-Za-z]{1,20}$/,
  detect: detectTk103,
  frameLength: tk103FrameLength,
  createState: () => ({}),
  decode: decodeTk103Frame,
  commands: TK103_COMMANDS,
  encodeCommand: encodeTk103Command,
  device: tk103Device,
  flags: tk103Flags,
};
