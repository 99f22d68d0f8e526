/** The Jointech JT600 codec (JT600, GP4000/GP5000/GP6000, JT701 e-lock): binary and text frames on one connection. */
import type { Codec } from '../codec';
import { jt600Device } from './device';
import { encodeJt600Command, JT600_COMMANDS } from './commands';
import { decodeJt600Frame, type Jt600State } from './decoder';
import { jt600Flags } from './flags';
import { detectJt600, jt600FrameLength, JT600_MAX_FRAME } from './frame';

export const jt600: Codec<Jt600State> = {
  protocol: 'jt600',
  maxFrameLength: JT600_MAX_FRAME,
  /** 10 BCD digits (hex digits as sent when a unit breaks BCD) without leading zeros, or longer text digits. */
  deviceIdPattern: /^(?:[0-9a-f]{1,10}|\d{11,20})$/,
  detect: detectJt600,
  frameLength: jt600FrameLength,
  createState: () => ({}),
  decode: decodeJt600Frame,
  commands: JT600_COMMANDS,
  encodeCommand: (command) => encodeJt600Command(command),
  device: jt600Device,
  flags: jt600Flags,
};
