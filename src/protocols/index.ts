/**
 * The protocol table: every codec the product speaks, in detection order.
 * A new protocol joins by adding its codec here; detection asks each in turn.
 */
import type { ProtocolName } from '../types';
import { Detect, type Codec } from './codec';
import type { CommandSpec } from './common/commands';
import type { FrameScan } from './common/scan';
import { gps103 } from './gps103';
import { gt06 } from './gt06';
import { h02 } from './h02';
import { jt600 } from './jt600';
import { jt808 } from './jt808';
import { osmand } from './osmand';
import { tk103 } from './tk103';
import { teltonika } from './teltonika';
import { vt600 } from './vt600';
import { watch } from './watch';

export const CODECS: ReadonlyMap<ProtocolName, Codec<any>> = new Map<ProtocolName, Codec<any>>([
  ['gt06', gt06],
  ['jt808', jt808],
  ['jt600', jt600],
  ['vt600', vt600],
  ['h02', h02],
  ['gps103', gps103],
  ['osmand', osmand],
  ['tk103', tk103],
  ['watch', watch],
  ['teltonika', teltonika],
]);

/** The protocols spoken, in detection order. */
export const PROTOCOLS: readonly ProtocolName[] = [...CODECS.keys()];

export function getCodec(protocol: ProtocolName): Codec<any> | undefined {
  return CODECS.get(protocol);
}

/**
 * Which codec claims the bytes at `offset`.
 * Returns the codec, `Detect.More` when a candidate needs more bytes, or `Detect.No` when none matches.
 * `scan`: what the detectors learnt about these bytes at earlier offsets (see FrameScan); after More, its
 * `waitUntil` is the length `buf` must reach before some candidate can say Yes (`end + 1`: any byte may).
 */
export function detectProtocol(
  buf: Buffer,
  offset: number,
  end: number,
  candidates: readonly Codec<any>[],
  scan?: FrameScan,
): Codec<any> | typeof Detect.More | typeof Detect.No {
  let more = false;
  let until = Number.POSITIVE_INFINITY;
  for (const codec of candidates) {
    if (scan) scan.waitUntil = 0;
    const d = codec.detect(buf, offset, end, scan);
    if (d === Detect.Yes) return codec;
    if (d === Detect.More) {
      more = true;
      if (scan) until = Math.min(until, scan.waitUntil > end ? scan.waitUntil : end + 1);
    }
  }
  // More: `scan.waitUntil` says how long the bytes must be before any candidate could claim them
  if (scan) scan.waitUntil = more ? until : 0;
  return more ? Detect.More : Detect.No;
}

/** The commands a protocol supports, with their parameters (what tracker-command offers for its devices). */
export function declaredCommands(protocol: ProtocolName): readonly CommandSpec[] {
  return getCodec(protocol)?.commands ?? [];
}
