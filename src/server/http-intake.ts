/**
 * Node's own HTTP server, fed with connections that the tracker port detected as HTTP (phones): the bytes
 * already read go back in front of the stream (`unshift`) and the stream is handed to the server as a new
 * connection, so keep-alive, pipelining, chunked bodies and `Expect: 100-continue` are Node's parser's
 * work, not ours. This module adds the limits of a public port (head and body size, header count, slow
 * clients) and fixed answers that never repeat what the client sent. Any Duplex works, so the command-line
 * decoder and the tests feed captured bytes through the same path without a socket.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HttpRequest } from '../protocols/codec';
import { isTlsHello } from '../protocols/common/http';
import type { DecodeErrorCode } from '../types';

export interface HttpIntakeOptions {
  /** Largest request body, bytes (Traccar's limit: 65536); larger ones are answered 413 and the connection closed. */
  maxBodyBytes: number;
  /** Largest request head (request line and headers), bytes; larger ones are answered 431. */
  maxHeadBytes: number;
  /** Most header lines in one request; more are answered 431. */
  maxHeaders: number;
  /** Seconds a kept-alive connection may wait for its next request. */
  keepAliveTimeout: number;
  /** Seconds the head of a request may take to arrive (slow clients are cut off with 408). */
  headersTimeout: number;
  /** Seconds a whole request may take to arrive. */
  requestTimeout: number;
}

export const HTTP_INTAKE_DEFAULTS: HttpIntakeOptions = {
  maxBodyBytes: 65536,
  maxHeadBytes: 8192,
  maxHeaders: 64,
  keepAliveTimeout: 60,
  headersTimeout: 20,
  requestTimeout: 60,
};

/** What to answer a request: a status, and a body for 200 (a queued command) when there is one. */
export interface HttpAnswer {
  status: number;
  body?: Buffer;
}

/** Something wrong with a connection or a request before it could be decoded. */
export interface HttpProblem {
  code: DecodeErrorCode;
  message: string;
}

/**
 * Fixed texts of the answers (for a person trying the URL in a browser or with curl): they never contain
 * anything the client sent. A 200 has no body, as the apps expect, unless it carries a command.
 */
const ANSWER_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad request: a device ID (id, deviceid, or device_id in JSON) and readable parameters are needed.\n',
  403: 'Forbidden: this device is not allowed here, or its token is missing or wrong.\n',
  408: 'Request timeout.\n',
  413: 'Request body too large.\n',
  431: 'Request header fields too large.\n',
  500: 'Internal error.\n',
  503: 'Not accepting positions right now: try again later.\n',
};

/** Parser errors from Node (`clientError`) and the status they get. */
function clientErrorStatus(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

export class HttpIntake<C> {
  private readonly server: Server;
  private readonly contexts = new WeakMap<Duplex, C>();
  /** Requests of a connection not answered yet. */
  private readonly unanswered = new WeakMap<Duplex, number>();
  /** Connections whose next bytes were not HTTP: the status to answer once the requests before are answered. */
  private readonly failing = new WeakMap<Duplex, number>();
  private checking = false;

  constructor(
    private readonly options: HttpIntakeOptions,
    /** A complete request (body read, within the limits) of a connection adopted with `context`. */
    private readonly onRequest: (request: HttpRequest, context: C) => HttpAnswer,
    /** A connection or a request refused before decoding (TLS, parse errors, limits). */
    private readonly onProblem: (problem: HttpProblem, context: C) => void,
  ) {
    this.server = createServer(
      {
        requireHostHeader: false, // scripts and Traccar's own test requests send none
        maxHeaderSize: options.maxHeadBytes,
        keepAliveTimeout: options.keepAliveTimeout * 1000,
        headersTimeout: options.headersTimeout * 1000,
        requestTimeout: options.requestTimeout * 1000,
        connectionsCheckingInterval: 1000,
      },
      (req, res) => this.request(req, res),
    );
    // One more than allowed, so that a request with too many is seen (Node drops the rest silently).
    this.server.maxHeadersCount = options.maxHeaders + 1;
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => this.clientError(err, socket));
  }

  /**
   * Node starts its checks of headersTimeout/requestTimeout when a server starts listening (and stops them
   * when it closes); this one never listens itself, its connections come from the tracker port: it is told.
   */
  private startTimeoutChecks(): void {
    if (this.checking) return;
    this.checking = true;
    this.server.emit('listening');
  }

  /**
   * Hands a connection to the HTTP server: `head` is what was read from it so far (from the start of its
   * first request). Whoever read those bytes must not read the stream any more.
   */
  adopt(stream: Duplex, head: Buffer, context: C): void {
    if (isTlsHello(head)) {
      this.onProblem(
        {
          code: 'unknown-protocol',
          message:
            'a TLS handshake: the device was given an https:// URL. Give it http://<host>:<port>, or put a TLS-terminating proxy in front of the port',
        },
        context,
      );
      stream.destroy();
      return;
    }
    this.startTimeoutChecks();
    this.contexts.set(stream, context);
    // Paused, so that the bytes put back wait in the stream's buffer for the HTTP parser (a flowing stream
    // would hand them straight to the detection's reader, which stops reading here).
    stream.pause();
    stream.removeAllListeners('data');
    stream.unshift(head);
    this.server.emit('connection', stream);
    stream.resume();
  }

  /** Closes every adopted connection and stops the timeout checks (the next `adopt` starts them again). */
  close(): void {
    this.server.closeAllConnections();
    if (!this.checking) return;
    this.checking = false;
    this.server.close(() => {
      /* it never listened: nothing else to release */
    });
  }

  private request(req: IncomingMessage, res: ServerResponse): void {
    res.sendDate = false; // as Traccar answers: status line, content-length, nothing the apps do not need
    const socket = req.socket;
    const context = this.contexts.get(socket);
    if (context === undefined) {
      socket.destroy();
      return;
    }
    this.unanswered.set(socket, (this.unanswered.get(socket) ?? 0) + 1);
    res.once('close', () => {
      const left = (this.unanswered.get(socket) ?? 1) - 1;
      this.unanswered.set(socket, left);
      const status = this.failing.get(socket);
      if (left === 0 && status !== undefined) this.fail(socket, status);
    });
    const limit = this.options.maxBodyBytes;
    if (req.rawHeaders.length > 2 * this.options.maxHeaders) {
      this.refuse(
        res,
        431,
        { code: 'oversize', message: `more than ${this.options.maxHeaders} header lines` },
        context,
      );
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      this.refuse(res, 413, { code: 'oversize', message: `a body of ${declared} bytes (limit ${limit})` }, context);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        chunks.length = 0;
        this.refuse(res, 413, { code: 'oversize', message: `a body of more than ${limit} bytes` }, context);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      let answer: HttpAnswer;
      try {
        answer = this.onRequest(
          { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body },
          context,
        );
      } catch (err) {
        this.onProblem({ code: 'malformed', message: `request handler failed: ${(err as Error).message}` }, context);
        answer = { status: 500 };
      }
      this.answer(res, answer.status, answer.body);
    });
    req.on('error', () => {
      /* the client went away mid-request: Node closes the connection */
    });
  }

  /** Answers and closes the connection: what follows on it (an unread body) cannot be trusted. */
  private refuse(res: ServerResponse, status: number, problem: HttpProblem, context: C): void {
    this.onProblem(problem, context);
    this.answer(res, status, undefined, true);
  }

  private answer(res: ServerResponse, status: number, body?: Buffer, close = false): void {
    if (res.headersSent || res.destroyed) return;
    const text = body ?? (ANSWER_TEXT[status] === undefined ? undefined : Buffer.from(ANSWER_TEXT[status]));
    const headers: Record<string, string | number> = { 'content-length': text?.length ?? 0 };
    if (text && !body) headers['content-type'] = 'text/plain; charset=utf-8';
    if (close) headers.connection = 'close';
    res.writeHead(status, STATUS_CODES[status], headers);
    res.end(text);
  }

  private clientError(err: NodeJS.ErrnoException, socket: Duplex): void {
    if (this.failing.has(socket)) return; // the parser repeats its error for every later chunk
    const context = this.contexts.get(socket);
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = clientErrorStatus(err.code);
    if (context !== undefined)
      this.onProblem(
        {
          code: status === 431 ? 'oversize' : 'malformed',
          message: `not a readable HTTP request (${err.code ?? 'parse error'}): answered ${status}`,
        },
        context,
      );
    this.failing.set(socket, status);
    // requests read before the unreadable bytes are answered first, in order
    if (!this.unanswered.get(socket)) this.fail(socket, status);
  }

  /** The answer to bytes that are not HTTP, and the end of the connection. */
  private fail(socket: Duplex, status: number): void {
    const text = ANSWER_TEXT[status];
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
    );
  }
}
