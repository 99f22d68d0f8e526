/**
 * A session is the state of one TCP connection or one UDP peer: protocol detection, the partial-frame
 * buffer, the codec's per-device state, and counters. It never throws on input; everything it drops is
 * returned as an error record and counted.
 */
import { validateCommand } from './protocols/common/commands';
import { checkRecord } from './protocols/common/record';
import {
  Detect,
  reportError,
  type Codec,
  type CommandRequest,
  type Connection,
  type DecodeOutput,
  type EncodedCommand,
  type HttpRequest,
} from './protocols/codec';
import { CODECS, detectProtocol, getCodec } from './protocols';
import { Undetected } from './detection-queue';
import { hexPreview } from './protocols/common/hex';
import { FrameScan } from './protocols/common/scan';
import { printable } from './protocols/common/printable';
import { IsoFormatter } from './protocols/common/time';
import type {
  DecodeError,
  DecodeErrorCode,
  ProtocolName,
  PushResult,
  Refusal,
  RequestResult,
  SessionOptions,
  SessionStats,
} from './types';

export const DEFAULT_MAX_BUFFER_BYTES = 16384;

/**
 * Receive times of every session: one formatter (they all format the same clock), apart from the one the
 * codecs use for device times so neither evicts the other's cached string.
 */
const receivedFormat = new IsoFormatter();

/**
 * What the framers learn about the bytes of a push (FrameScan): one for every push that carries nothing over, as
 * most do (a push runs to completion, so sessions take turns); a session that holds bytes for the next push
 * keeps its own copy of what was found about them, only while it holds them.
 */
const sharedScan = new FrameScan();

/** Offsets due to be asked again in a push (see nextDetected; a push runs to completion). */
const due: number[] = [];

/** Candidate codecs per protocol list, shared by sessions (a server has thousands with the same list). */
const candidateLists = new Map<string, readonly Codec<any>[]>();

function candidatesFor(names: readonly ProtocolName[]): readonly Codec<any>[] {
  const key = names.join(',');
  let list = candidateLists.get(key);
  if (!list) {
    list = names.map((n) => {
      const c = getCodec(n);
      if (!c) throw new Error(`unknown protocol "${n}"`);
      return c;
    });
    if (candidateLists.size < 64) candidateLists.set(key, list);
  }
  return list;
}

export class TrackerSession {
  readonly options: Readonly<SessionOptions>;
  readonly stats: SessionStats = {
    bytes: 0,
    frames: 0,
    messages: 0,
    replies: 0,
    errors: 0,
    droppedBytes: 0,
    checksumErrors: 0,
    unknownTypes: 0,
    codecExceptions: 0,
    invalidIds: 0,
  };
  private codec: Codec<any> | undefined;
  private conn: Connection<any> | undefined;
  private pending: Buffer | null = null;
  private readonly candidates: readonly Codec<any>[];
  private readonly maxBuffer: number;
  private http = false;
  /** What the framers found about the held bytes (searches that found nothing; see FrameScan.hold). */
  private heldScan: FrameScan | undefined;
  /** What detection found about the held bytes while the protocol is not known yet. */
  private undetected: Undetected | undefined;
  /** Set once the identity policy refused a device ID: nothing more is read (the connection is being closed). */
  private refusal: Refusal | undefined;

  /** `options` is read, never copied (a server shares one object among all its sessions): do not mutate it. */
  constructor(options: SessionOptions = {}) {
    this.options = options;
    this.maxBuffer = options.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES;
    const wanted = options.protocol ?? 'auto';
    if (wanted === 'auto') {
      this.candidates = candidatesFor(options.protocols ?? [...CODECS.keys()]);
    } else {
      const codec = getCodec(wanted);
      if (!codec) throw new Error(`unknown protocol "${wanted}"`);
      this.candidates = [codec];
      this.bind(codec);
    }
  }

  /** The protocol in use, once detected. */
  get protocol(): ProtocolName | undefined {
    return this.codec?.protocol;
  }

  /** The device's ID, once it identified itself. */
  get deviceId(): string | undefined {
    return this.conn?.deviceId;
  }

  /** The connection's bytes went to an HTTP parser (see PushResult.handover): it is read request by request. */
  get handedOver(): boolean {
    return this.http;
  }

  /** Why the identity policy refused this session's device (see SessionOptions.refuseDevice), if it did. */
  get refused(): Refusal | undefined {
    return this.refusal;
  }

  /** Bytes held for an incomplete frame. */
  get bufferedBytes(): number {
    return this.pending ? this.pending.length : 0;
  }

  /**
   * Feeds bytes exactly as received (any number of frames, or part of one). `receivedAt` (ms since epoch):
   * when the caller already read the clock for this chunk; the records' receivedAt (default: now).
   */
  push(chunk: Buffer, receivedAt?: number): PushResult {
    if (!Buffer.isBuffer(chunk)) chunk = asBuffer(chunk);
    const out: PushResult = { messages: [], replies: [], errors: [], answers: [] };
    const now = this.options.now ? this.options.now() : (receivedAt ?? Date.now());
    this.stats.bytes += chunk.length;
    if (this.refusal) return out; // a refused device: nothing of it is read any more
    let data = chunk;
    // stream offset of data[0], for what detection remembers across pushes (nothing when nothing was held)
    let base = 0;
    const held = this.pending !== null;
    if (this.pending) {
      data = Buffer.concat([this.pending, chunk]);
      this.pending = null;
      base = this.undetected?.heldAt ?? 0;
    } else this.undetected = undefined;
    const end = data.length;
    let off = 0;
    const scan = held && this.heldScan ? this.heldScan : sharedScan;
    scan.begin(data, end, scan !== sharedScan);
    // Skipped bytes [junkStart, junkStart + junk) are reported as one error (no closure: this is the hot path).
    let junkStart = -1;
    let junk = 0;
    if (this.conn) this.stamp(this.conn, now);

    while (off < end) {
      const codec = this.codec;
      if (!codec) {
        // the first held offset is asked again once the bytes it waits for are here
        const u = this.undetected;
        const waits = u !== undefined && u.firstAt === base + off && u.firstUntil > base + end;
        const found = waits ? Detect.More : detectProtocol(data, off, end, this.candidates, scan);
        if (found === Detect.More) {
          if (!this.undetected) this.undetected = new Undetected();
          const undetected = this.undetected;
          if (!waits) {
            undetected.firstAt = base + off;
            undetected.firstUntil = base + scan.waitUntil;
          }
          // Waiting for more of a frame that may not be one: if a complete frame of some protocol
          // already starts further on, what lies before it is junk.
          const next = this.nextDetected(data, base, off + 1, end, scan, undetected);
          if (next < 0) break;
          if (junk === 0) junkStart = off;
          junk += next - off;
          off = next;
          continue;
        }
        if (found === Detect.No) {
          if (junk === 0) junkStart = off;
          junk++;
          off++;
          continue;
        }
        this.undetected = undefined;
        this.stamp(this.bind(found), now);
        continue;
      }
      if (codec.decodeRequest) {
        // HTTP: the rest of the connection is Node's HTTP parser's to read, from the start of the request
        out.handover = Buffer.from(data.subarray(off, end));
        this.http = true;
        off = end;
        break;
      }
      const n = codec.frameLength(data, off, end, scan);
      if (n > 0) {
        if (junk) {
          this.flushJunk(out, data, junkStart, junk);
          junk = 0;
        }
        if (n > this.maxBuffer) {
          this.drop(out, 'oversize', `frame of ${n} bytes exceeds the ${this.maxBuffer}-byte cap`, data, off, n);
        } else {
          this.stats.frames++;
          // A chunk that is exactly one frame (the usual TCP packet) is decoded as it is: no view to allocate.
          this.decode(codec, off === 0 && n === end ? data : data.subarray(off, off + n), out);
          if (this.refusal) {
            // the identity policy refused the frame's device: the rest of the chunk is not read
            this.pending = null;
            this.count(out);
            return out;
          }
        }
        off += n;
      } else if (n < 0) {
        if (junk === 0) junkStart = off;
        junk -= n;
        off -= n;
      } else {
        if (end - off > this.maxBuffer || end - off > codec.maxFrameLength) {
          // An incomplete frame that can never fit: give up on its start marker and resynchronise (the
          // framer's searches resume where they stopped: the bytes after this marker are not read again).
          if (junk === 0) junkStart = off;
          junk++;
          off++;
          continue;
        }
        break;
      }
    }
    if (junk) this.flushJunk(out, data, junkStart, junk);
    if (off < end) {
      if (!this.codec && end - off > this.maxBuffer) {
        this.drop(out, 'unknown-protocol', 'undetectable bytes', data, off, end - off);
      } else {
        this.pending = Buffer.from(data.subarray(off, end)); // copy: never pin the caller's chunk
        if (this.undetected) this.undetected.heldAt = base + off;
        scan.hold(off);
        if (scan === sharedScan && scan.carries()) {
          if (!this.heldScan) this.heldScan = new FrameScan();
          this.heldScan.copyFrom(scan);
        }
      }
    }
    if (!this.pending) {
      this.heldScan = undefined;
      this.undetected = undefined;
    }
    this.count(out);
    return out;
  }

  /**
   * Drops an incomplete frame held from earlier pushes (a UDP datagram ends where it ends: what it left
   * unfinished will never be completed by the next one). Returns the error record, if anything was dropped.
   */
  discardBuffered(): DecodeError | undefined {
    const pending = this.pending;
    if (!pending) return undefined;
    this.pending = null;
    const out: DecodeOutput = { messages: [], replies: [], errors: [], answers: [] };
    this.drop(out, 'malformed', `dropped an incomplete frame of ${pending.length} bytes`, pending, 0, pending.length);
    this.stats.errors++;
    return out.errors[0];
  }

  /** Time-driven work of the codec (reassembly timeouts...). Call it every few seconds. */
  poll(): PushResult {
    const out: PushResult = { messages: [], replies: [], errors: [], answers: [] };
    if (this.codec?.poll && this.conn) {
      this.stamp(this.conn, this.options.now ? this.options.now() : Date.now());
      try {
        this.codec.poll(this.conn, out);
      } catch (err) {
        this.codecFailure(out, err);
      }
      this.count(out);
    }
    return out;
  }

  /**
   * Decodes one complete HTTP request of a connection handed over to an HTTP parser (a protocol spoken over
   * HTTP). Never throws on the request; `status` is what to answer.
   */
  decodeRequest(request: HttpRequest, receivedAt?: number): RequestResult {
    const out: RequestResult = { messages: [], replies: [], errors: [], answers: [], status: 500, commands: false };
    const codec = this.codec;
    if (!codec?.decodeRequest || !this.conn) {
      out.errors.push({ code: 'malformed', message: 'an HTTP request on a connection that does not speak HTTP' });
      this.count(out);
      return out;
    }
    this.stamp(this.conn, this.options.now ? this.options.now() : (receivedAt ?? Date.now()));
    this.stats.bytes += request.body.length;
    this.stats.frames++;
    const conn = this.conn;
    try {
      const verdict = codec.decodeRequest(request, conn, out);
      out.status = verdict.status;
      out.commands = verdict.commands;
      if (verdict.credential !== undefined) out.credential = verdict.credential;
    } catch (err) {
      // A codec must not throw; if one does, this request is lost (answered 500), never the connection.
      out.messages.length = 0;
      out.answers.length = 0;
      conn.deviceId = undefined;
      this.codecFailure(out, err);
    }
    // Every request names its device (one connection may carry several): each is checked, every time.
    const id = conn.deviceId;
    if (out.status === 200 && id !== undefined) {
      if (!codec.deviceIdPattern.test(id)) {
        conn.deviceId = undefined;
        this.stats.invalidIds++;
        out.errors.length = 0;
        out.errors.push(this.invalidId(codec, id));
        out.status = 400;
      } else {
        const reason = this.options.refuseDevice?.(id, this, out.credential);
        if (reason !== undefined) {
          conn.deviceId = undefined;
          out.refused = { deviceId: id, reason };
          out.status = 403;
        }
      }
      if (out.status !== 200) {
        out.messages.length = 0;
        out.answers.length = 0;
        out.commands = false;
      }
    }
    for (const m of out.messages) checkRecord(m, (message) => reportError(out, conn, 'malformed', message));
    this.count(out);
    return out;
  }

  /**
   * Bytes to send for a command to the device on this session, after checking it against the protocol's
   * declared commands. Throws a clear Error when not possible.
   */
  encodeCommand(command: CommandRequest): EncodedCommand {
    if (!this.codec || !this.conn) throw new Error('the protocol of this connection is not known yet');
    const codec = this.codec;
    const valid = validateCommand(codec.protocol, codec.commands, command);
    if (!codec.encodeCommand) throw new Error(`${codec.protocol} has no command encoder`);
    this.stamp(this.conn, this.options.now ? this.options.now() : Date.now());
    const encoded = codec.encodeCommand(valid, this.conn);
    const answer = codec.commands.find((s) => s.type === valid.type)?.answer;
    return { ...encoded, expectsAnswer: encoded.expectsAnswer ?? answer !== 'none' };
  }

  /**
   * Offset of the first position in [from, end) where some protocol detects a frame, or -1. `base`: the stream
   * offset of data[0]. Offsets asked in earlier pushes are asked again only when the bytes they wait for have
   * arrived; the others only once.
   */
  private nextDetected(
    data: Buffer,
    base: number,
    from: number,
    end: number,
    scan: FrameScan,
    undetected: Undetected,
  ): number {
    const waiting = undetected.waiting;
    due.length = 0;
    waiting.takeDue(base + end, due);
    let found = -1;
    for (const at of due) {
      const i = at - base;
      if (i < from || (found >= 0 && i > found)) continue; // junk by now, or past a frame found
      const d = detectProtocol(data, i, end, this.candidates, scan);
      if (d === Detect.More) waiting.push(at, base + scan.waitUntil);
      else if (d !== Detect.No) found = i;
    }
    if (found >= 0) return found;
    for (let i = Math.max(from, undetected.askedTo - base); i < end; i++) {
      const d = detectProtocol(data, i, end, this.candidates, scan);
      if (d === Detect.More) waiting.push(base + i, base + scan.waitUntil);
      else if (d !== Detect.No) return i;
    }
    undetected.askedTo = base + end;
    return -1;
  }

  private bind(codec: Codec<any>): Connection<any> {
    this.codec = codec;
    this.conn = {
      protocol: codec.protocol,
      options: this.options,
      deviceId: undefined,
      now: NaN,
      receivedAt: '',
      state: codec.createState(this.options),
    };
    return this.conn;
  }

  private stamp(conn: Connection<any>, now: number): void {
    if (now === conn.now) return;
    conn.now = now;
    conn.receivedAt = receivedFormat.format(now);
  }

  private decode(codec: Codec<any>, frame: Buffer, out: PushResult): void {
    const conn = this.conn!;
    const before = conn.deviceId;
    const first = out.messages.length;
    const firstReply = out.replies.length;
    const firstError = out.errors.length;
    const firstAnswer = out.answers.length;
    let failure: { err: unknown } | undefined;
    try {
      codec.decode(frame, conn, out);
    } catch (err) {
      // A codec must not throw; if one does on some frame, that frame is lost, never the connection.
      failure = { err };
    }
    const id = conn.deviceId;
    if (id !== before && id !== undefined) {
      // The frame names a device this session has not served yet: its ID, then the identity policy, decide
      // before anything of the frame is acknowledged or emitted.
      if (!codec.deviceIdPattern.test(id)) {
        conn.deviceId = before;
        out.messages.length = first;
        out.replies.length = firstReply;
        out.errors.length = firstError; // they would carry the ID; this error says why the frame is dropped
        out.answers.length = firstAnswer;
        this.stats.invalidIds++;
        out.errors.push(this.invalidId(codec, id, frame));
      } else {
        const reason = this.options.refuseDevice?.(id, this);
        if (reason !== undefined) {
          out.messages.length = first;
          out.replies.length = firstReply;
          out.answers.length = firstAnswer;
          const reply = codec.refusal?.(conn); // the codec sees the refused ID
          conn.deviceId = before;
          this.refusal = reply ? { deviceId: id, reason, reply } : { deviceId: id, reason };
          out.refused = this.refusal;
        }
      }
    }
    if (failure) this.codecFailure(out, failure.err, frame);
    // whatever the protocol, no impossible coordinate or date leaves the session as if it were real
    for (let i = first; i < out.messages.length; i++)
      checkRecord(out.messages[i], (message) => reportError(out, conn, 'malformed', message, frame));
  }

  /** The error of a frame or request whose device ID does not fit its protocol's `deviceIdPattern`. */
  private invalidId(codec: Codec<any>, id: string, frame?: Buffer): DecodeError {
    const err: DecodeError = {
      code: 'invalid-id',
      message: `"${printable(id, 48)}" is not a ${codec.protocol} device ID (${codec.deviceIdPattern.source}): dropped`,
      protocol: codec.protocol,
    };
    if (this.conn?.deviceId !== undefined) err.deviceId = this.conn.deviceId;
    if (frame) err.hex = hexPreview(frame);
    return err;
  }

  /** A codec threw: the frame or request is lost (never the connection), reported with its own code and counted. */
  private codecFailure(out: DecodeOutput, err: unknown, frame?: Buffer): void {
    this.stats.codecExceptions++;
    out.errors.push({
      code: 'codec-exception',
      message: `${this.codec?.protocol} decoder failed: ${(err as Error)?.message ?? err}`,
      protocol: this.codec?.protocol,
      deviceId: this.conn?.deviceId,
      hex: frame ? hexPreview(frame) : undefined,
    });
  }

  private flushJunk(out: DecodeOutput, data: Buffer, at: number, n: number): void {
    this.drop(
      out,
      this.codec ? 'junk' : 'unknown-protocol',
      this.codec
        ? `skipped ${n} bytes that are not a ${this.codec.protocol} frame`
        : `skipped ${n} bytes of no known protocol`,
      data,
      at,
      n,
    );
  }

  private drop(out: DecodeOutput, code: DecodeErrorCode, message: string, data: Buffer, at: number, n: number): void {
    this.stats.droppedBytes += n;
    out.errors.push({
      code,
      message,
      protocol: this.codec?.protocol,
      deviceId: this.conn?.deviceId,
      hex: hexPreview(data, at, at + n),
    });
  }

  private count(out: PushResult): void {
    const s = this.stats;
    s.messages += out.messages.length;
    s.replies += out.replies.length;
    s.errors += out.errors.length;
    for (const e of out.errors) {
      if (e.code === 'checksum') s.checksumErrors++;
      else if (e.code === 'unknown-type') s.unknownTypes++;
      // messages quote what devices sent (sentences, fields): none may forge a log line where they are shown
      e.message = printable(e.message);
    }
  }
}

/**
 * A JavaScript caller may hand over other bytes than a Buffer: a Uint8Array is viewed as one (no copy); anything
 * else (a string, whose encoding nobody knows) is a programming error, told as such rather than as a failure deep
 * inside the framing.
 */
function asBuffer(chunk: unknown): Buffer {
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const kind = chunk === null ? 'null' : typeof chunk;
  throw new TypeError(`push() takes the bytes as received (a Buffer or Uint8Array), not a ${kind}`);
}

/** Creates the state machine for one TCP connection or UDP peer (the README documents it). */
export function createSession(options: SessionOptions = {}): TrackerSession {
  return new TrackerSession(options);
}
