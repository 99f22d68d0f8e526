/**
 * The contract between a protocol codec (pure: bytes in, plain objects out) and the session that drives it.
 * A codec never touches sockets or Node-RED and never throws on bad input: it reports through `DecodeOutput`.
 */
import type { DecodeError, DecodeErrorCode, ProtocolName, SessionOptions, TrackerMessage } from '../types';
import { hexPreview } from './common/hex';
import { FrameTooShort } from './common/reader';
import type { AlarmName, RecordType } from '../vocabulary';
import type { CommandSpec, ValidCommand } from './common/commands';
import type { DeviceProtocol, HttpDeviceProtocol } from './common/device';
import type { ProtocolFlags } from './common/flags';
import type { FrameScan } from './common/scan';

/** Result of sniffing the first bytes of a connection. */
export const Detect = {
  No: 0,
  Yes: 1,
  /** Not enough bytes to tell. */
  More: 2,
} as const;
export type Detect = (typeof Detect)[keyof typeof Detect];

/** Per-connection state that the session keeps and hands to the codec on every frame. */
export interface Connection<S = unknown> {
  readonly protocol: ProtocolName;
  readonly options: Readonly<SessionOptions>;
  /** Set by the codec once the device identified itself (login, header ID, ...). */
  deviceId: string | undefined;
  /** Receive time of the bytes being decoded, ms since epoch. */
  now: number;
  /** ISO form of `now`. */
  receivedAt: string;
  /** Codec-specific state (serial counters, protocol version, timezone, reassembly buffers...). */
  state: S;
}

/** Where a codec puts what it decoded. */
export interface DecodeOutput {
  messages: TrackerMessage[];
  replies: Buffer[];
  errors: DecodeError[];
  /** What decoded frames say about commands sent earlier (the decoder knows; nobody asks it again). */
  answers: CommandAnswer[];
}

/** An HTTP request as Node's HTTP parser delivers it, with its complete body (protocols spoken over HTTP). */
export interface HttpRequest {
  method: string;
  /** The request target as sent: path and query. */
  url: string;
  /** Header names in lower case, as Node's IncomingMessage has them. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
}

/** What an HTTP codec makes of a request, besides its records. */
export interface HttpVerdict {
  /** The status to answer: 200 accepted, 400 no or no valid device ID, or a request that cannot be read. */
  status: number;
  /** The secret the request presented (a `token` parameter or an Authorization header); never put in a record. */
  credential?: string;
  /** Whether the answer may carry a queued command as its body (what the protocol's clients read). */
  commands: boolean;
}

/** A command for a device, as tracker-command and the library API express it. */
export interface CommandRequest {
  type: string;
  [param: string]: unknown;
}

/** The bytes of a command, and how the device's answer will point back at it (what an encoder returns). */
export interface EncodedFrames {
  frames: Buffer[];
  /**
   * What the device's answer carries to identify this command (codec-defined, e.g. `serial:42`).
   * Absent when answers carry no reference: they then go to the oldest command awaiting one.
   */
  reference?: string;
  /**
   * Whether an answer will come, when that depends on how this command was encoded (TK103: only its SMS-text
   * form is answered); absent: as the command's declaration says.
   */
  expectsAnswer?: boolean;
}

/** An encoded command as the session hands it to the server. */
export interface EncodedCommand extends EncodedFrames {
  /** False when the protocol gives no answer to this command (its declaration says `answer: 'none'`). */
  expectsAnswer: boolean;
}

/** What a decoded record says about a command sent earlier. */
export interface CommandAnswer {
  /** Matches EncodedCommand.reference; undefined = the oldest command awaiting an answer. */
  reference?: string;
  /** `delivered`: the device took it (a transport ack); `result`: its answer; `failed`: it refused. */
  status: 'delivered' | 'result' | 'failed';
  result?: unknown;
  /** True when no further answer will follow (a `delivered` ack may be followed by a `result`). */
  final: boolean;
}

export interface Codec<S = unknown> {
  readonly protocol: ProtocolName;
  /** Largest frame the codec accepts; longer ones are dropped and the stream resynchronised. */
  readonly maxFrameLength: number;
  /**
   * What a device ID of this protocol may look like (charset and length, the whole ID; no `g` or `y` flag). The
   * session checks every ID a frame or request sets against it: one that does not fit drops that frame
   * (`invalid-id` error, no records, no reply) and identifies nobody, whatever the decoder made of the bytes.
   */
  readonly deviceIdPattern: RegExp;
  /**
   * Sniffs the bytes at `offset` (start of a connection or datagram). The session asks every candidate at every
   * offset until one says Yes: like `frameLength`, it must cost O(bytes) over all those calls (same `scan`).
   * More for a frame whose declared length has not arrived: set `scan.waitUntil` to the offset where it ends,
   * and the session asks again only once the bytes reach it (bytes arriving a few at a time would otherwise have
   * every such offset of a run of markers asked again at every push).
   */
  detect(buf: Buffer, offset: number, end: number, scan?: FrameScan): Detect;
  /**
   * Finds the frame that starts at `offset`:
   *  > 0: a complete frame of that many bytes;
   *    0: the frame is incomplete, wait for more bytes;
   *  < 0: the next -n bytes are junk, skip them and call again.
   * The session calls it again at the next offset, and at every offset of a run of start markers, and again on
   * the bytes it holds at the next push: together the calls must cost O(bytes), whatever the bytes and however
   * they arrive. A search ahead (for a terminator, the next frame) either stops at the next possible start, or is
   * a `FrameScan` search that resumes where an earlier one over the same bytes stopped (`scan`: what the session
   * knows about its bytes; absent, nothing is remembered).
   */
  frameLength(buf: Buffer, offset: number, end: number, scan?: FrameScan): number;
  createState(options: Readonly<SessionOptions>): S;
  /**
   * Decodes one complete frame. `frame` may be a view into a reused buffer:
   * copy anything that must outlive the call.
   */
  decode(frame: Buffer, conn: Connection<S>, out: DecodeOutput): void;
  /**
   * Protocols spoken over HTTP (phones): once `detect` says Yes, the connection's bytes go to Node's HTTP
   * parser (src/server/http-intake.ts) instead of `frameLength`/`decode`, and each complete request comes here.
   * Sets `conn.deviceId` from the request: every request names its device, and one connection (a proxy, a
   * gateway) may carry requests of several devices.
   */
  decodeRequest?(request: HttpRequest, conn: Connection<S>, out: DecodeOutput): HttpVerdict;
  /** Time-driven work (reassembly timeouts, retransmission requests); called by the session's `poll`. */
  poll?(conn: Connection<S>, out: DecodeOutput): void;
  /** The commands the protocol supports, with their parameters (empty: none). */
  readonly commands: readonly CommandSpec[];
  /**
   * Builds the bytes of a command for the device on this connection. The command has passed validation
   * against `commands`; throws a clear Error when it still cannot be sent (the device's ID is not known yet...).
   */
  encodeCommand?(command: ValidCommand, conn: Connection<S>): EncodedFrames;
  /**
   * What tells a device that the identity policy refused the ID its frame just gave (Teltonika answers a refused
   * IMEI login with `00`): written instead of that frame's replies, before the connection is closed.
   * Absent, or undefined: the connection is closed without a word.
   */
  refusal?(conn: Connection<S>): Buffer | undefined;
  /** The raw bitfields its records carry, for tracker-flags (absent: none). */
  readonly flags?: ProtocolFlags;
  /** The device side, for tracker-sim (absent: the simulator cannot play this protocol). */
  readonly device?: DeviceProtocol | HttpDeviceProtocol;
}

/** A message with the fields every record has; codecs fill in the rest. */
export function newMessage(conn: Connection<unknown>, type: RecordType): TrackerMessage {
  return {
    protocol: conn.protocol,
    deviceId: conn.deviceId ?? '',
    type,
    time: conn.receivedAt,
    receivedAt: conn.receivedAt,
    alarms: [],
    attributes: {},
  };
}

/** Records a problem without throwing. */
export function reportError(
  out: DecodeOutput,
  conn: Connection<unknown>,
  code: DecodeErrorCode,
  message: string,
  frame?: Uint8Array,
): void {
  const err: DecodeError = { code, message, protocol: conn.protocol };
  if (conn.deviceId) err.deviceId = conn.deviceId;
  if (frame) err.hex = hexPreview(frame);
  out.errors.push(err);
}

/**
 * Runs `read` over a frame (or a part of it); a read past the end becomes a `malformed` error saying
 * `what()` is shorter than its content (a function: the description is only built when it is needed).
 * Any other exception goes on to the session, which counts it.
 */
export function readWithin(
  out: DecodeOutput,
  conn: Connection<unknown>,
  frame: Uint8Array,
  what: () => string,
  read: () => void,
): void {
  try {
    read();
  } catch (err) {
    if (!(err instanceof FrameTooShort)) throw err;
    reportError(out, conn, 'malformed', `${what()} is shorter than its content (${err.message})`, frame);
  }
}

/** Adds an alarm name once. */
export function addAlarm(msg: TrackerMessage, alarm: AlarmName | undefined): void {
  if (alarm && !msg.alarms.includes(alarm)) msg.alarms.push(alarm);
}
