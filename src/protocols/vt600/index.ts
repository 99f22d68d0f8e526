/** The iStartek VT600 codec (`&&` text protocol): reports, serial data, command results and commands. */
import type { Codec } from '../codec';
import { encodeVt600Command, vt600CommandAnswer } from './commands';
import { decodeVt600Frame, type Vt600State } from './decoder';
import { detectVt600, vt600FrameLength, VT600_MAX_FRAME } from './frame';

export const vt600: Codec<Vt600State> = {
  protocol: 'vt600',
  maxFrameLength: VT600_MAX_FRAME,
  detect: detectVt600,
  frameLength: vt600FrameLength,
  createState: () => ({}),
  decode: decodeVt600Frame,
  encodeCommand: encodeVt600Command,
  commandAnswer: vt600CommandAnswer,
};
