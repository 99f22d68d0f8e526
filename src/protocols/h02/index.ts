/** The H02 codec (Sinotrack ST-901/903/906 and many look-alikes): `*...#` text and `$` binary on one connection. */
import type { Codec } from '../codec';
import { encodeH02Command, H02_COMMANDS } from './commands';
import { decodeH02Frame } from './decoder';
import { h02Device } from './device';
import { h02Flags } from './flags';
import { detectH02, h02FrameLength, H02_MAX_FRAME } from './frame';
import type { H02State } from './status';

export const h02: Codec<H02State> = {
  protocol: 'h02',
  maxFrameLength: H02_MAX_FRAME,
  /** 10 digits on Sinotrack units or an IMEI, text or BCD. */
  deviceIdPattern: /^\d{6,20}$/,
  detect: detectH02,
  frameLength: h02FrameLength,
  createState: () => ({}),
  decode: decodeH02Frame,
  commands: H02_COMMANDS,
  encodeCommand: encodeH02Command,
  flags: h02Flags,
  device: h02Device,
};
