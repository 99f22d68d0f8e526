/** The watch codec (`[SG*<id>*<len>*<content>]` kids' watches and personal trackers): decoding, replies, commands. */
import type { Codec } from '../codec';
import { encodeWatchCommand, WATCH_COMMANDS } from './commands';
import { decodeWatchFrame, pollWatch, type WatchState } from './decoder';
import { watchDevice } from './device';
import { watchFlags } from './flags';
import { detectWatch, watchFrameLength, WATCH_MAX_FRAME } from './frame';

export const watch: Codec<WatchState> = {
  protocol: 'watch',
  maxFrameLength: WATCH_MAX_FRAME,
  /** The registration code or IMEI of the header. */
  deviceIdPattern: /^[0-9A-Za-z]{1,20}$/,
  detect: detectWatch,
  frameLength: watchFrameLength,
  createState: () => ({}),
  decode: decodeWatchFrame,
  poll: pollWatch,
  commands: WATCH_COMMANDS,
  encodeCommand: encodeWatchCommand,
  device: watchDevice,
  flags: watchFlags,
};
