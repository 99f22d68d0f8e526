/** The GT06 (Concox / Jimi IoT) codec: framing, decoding, replies and commands. */
import type { Codec } from '../codec';
import { textCommandFrame, commandText } from './commands';
import { decodeGt06Frame, type Gt06State } from './decoder';
import { detectGt06, gt06FrameLength, GT06_MAX_FRAME } from './frame';

export const gt06: Codec<Gt06State> = {
  protocol: 'gt06',
  maxFrameLength: GT06_MAX_FRAME,
  detect: detectGt06,
  frameLength: gt06FrameLength,
  createState: () => ({ loginTimezone: undefined }),
  decode: decodeGt06Frame,
  encodeCommand: (command) => [textCommandFrame(commandText(command))],
};
