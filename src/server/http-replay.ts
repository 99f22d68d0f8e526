/**
 * Captured bytes of one connection replayed through the product's path without a socket: the session
 * detects the protocol, and when it is one spoken over HTTP the bytes go, through an in-memory connection,
 * to the same HttpIntake (Node's HTTP parser, the same limits) the tracker port uses. For tracker-decode
 * and the conformance tests; no registry, identity policy or commands (those are the server's).
 */
import { Duplex } from 'node:stream';
import type { TrackerSession } from '../session';
import type { PushResult } from '../types';
import { HTTP_INTAKE_DEFAULTS, HttpIntake, type HttpIntakeOptions } from './http-intake';

/** Runs until the in-memory exchange is quiet (no new output for a few turns of the event loop). */
async function settle(written: () => number): Promise<void> {
  let quiet = 0;
  let last = written();
  for (let turn = 0; turn < 100 && quiet < 3; turn++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const now = written();
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
}

export class HttpReplay {
  private stream: Duplex | undefined;
  private readonly answers: Buffer[] = [];
  private answered = 0;
  private current: PushResult = { messages: [], replies: [], errors: [], answers: [] };
  private readonly intake: HttpIntake<TrackerSession>;

  constructor(
    private readonly session: TrackerSession,
    options: HttpIntakeOptions = HTTP_INTAKE_DEFAULTS,
  ) {
    this.intake = new HttpIntake<TrackerSession>(
      options,
      (request, s) => {
        const r = s.decodeRequest(request);
        this.current.messages.push(...r.messages);
        this.current.errors.push(...r.errors);
        return { status: r.status };
      },
      (problem, s) => this.current.errors.push({ ...problem, protocol: s.protocol }),
    );
  }

  /**
   * The next bytes received on the connection. Resolves with what they produced: records and errors, and in
   * `replies` the bytes written back (for HTTP, the answers as they go on the wire).
   */
  async push(chunk: Buffer): Promise<PushResult> {
    const result: PushResult = { messages: [], replies: [], errors: [], answers: [] };
    this.current = result;
    if (this.stream) this.stream.push(chunk);
    else {
      const r = this.session.push(chunk);
      result.messages.push(...r.messages);
      result.replies.push(...r.replies);
      result.errors.push(...r.errors);
      result.answers.push(...r.answers);
      if (r.handover) {
        this.stream = new Duplex({
          read() {},
          write: (data: Buffer, _encoding, done) => {
            this.answers.push(Buffer.from(data));
            done();
          },
        });
        this.intake.adopt(this.stream, r.handover, this.session);
      }
    }
    if (this.stream) {
      await settle(() => this.answers.length);
      const written = this.answers.slice(this.answered);
      this.answered = this.answers.length;
      if (written.length) result.replies.push(Buffer.concat(written));
    }
    return result;
  }

  close(): void {
    this.stream?.destroy();
    this.intake.close();
  }
}
