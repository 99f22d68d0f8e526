/** The JT/T 808 codec (2011/2013/2019): framing, decoding with sub-package reassembly, replies, commands, bitfields. */
import type { Codec } from '../codec';
import { jt808Device } from './device';
import { encodeJt808Command, JT808_COMMANDS } from './commands';
import { decodeJt808Frame, pollJt808 } from './decoder';
import { jt808Flags } from './flags';
import { detectJt808, jt808FrameLength, JT808_MAX_FRAME } from './frame';
import { createJt808State, type Jt808State } from './state';

export const jt808: Codec<Jt808State> = {
  protocol: 'jt808',
  maxFrameLength: JT808_MAX_FRAME,
  /** Terminal phone/ID digits: 12 BCD digits (2011/2013), 20 (2019), or a binary IMEI with its check digit. */
  deviceIdPattern: /^\d{1,20}$/,
  detect: detectJt808,
  frameLength: jt808FrameLength,
  createState: createJt808State,
  decode: decodeJt808Frame,
  poll: pollJt808,
  commands: JT808_COMMANDS,
  encodeCommand: encodeJt808Command,
  device: jt808Device,
  flags: jt808Flags,
};
