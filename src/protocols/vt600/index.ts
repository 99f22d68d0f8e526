/** The iStartek VT600 codec (`&&` text protocol): reports, serial data, command results, commands, bitfields. */
import type { Codec } from '../codec';
import { vt600Device } from './device';
import { encodeVt600Command, VT600_COMMANDS } from './commands';
import { decodeVt600Frame, type Vt600State } from './decoder';
import { vt600Flags } from './flags';
import { detectVt600, vt600FrameLength, VT600_MAX_FRAME } from './frame';

export const vt600: Codec<Vt600State> = {
  protocol: 'vt600',
  maxFrameLength: VT600_MAX_FRAME,
  /** The IMEI field: digits. */
  deviceIdPattern: /^\d{6,20}$/,
  detect: detectVt600,
  frameLength: vt600FrameLength,
  createState: () => ({}),
  decode: decodeVt600Frame,
  commands: VT600_COMMANDS,
  encodeCommand: encodeVt600Command,
  device: vt600Device,
  flags: vt600Flags,
};
