/**
 * The device side of a protocol, as tracker-sim plays it: what a device sends and the exact bytes it must get
 * back. Each protocol folder may hold one (`device.ts`), written from the protocol description and independent
 * of the codec (it imports only shared checksums and BCD helpers), so that it checks the codec rather than
 * agreeing with it.
 */

export interface Fix {
  time: number;
  lat: number;
  lon: number;
  speed: number;
  course: number;
  satellites: number;
  ignition: boolean;
}

/** A frame to send and the exact bytes the server must answer with (null = no answer expected). */
export interface Exchange {
  frame: Buffer;
  expect: Buffer | null;
}

export interface DeviceProtocol {
  name: string;
  /** The ID device number `index` uses (IMEI, terminal ID...). */
  deviceId(index: number): string;
  login(deviceId: string, serial: number): Exchange;
  position(fix: Fix, serial: number, deviceId: string): Exchange;
  heartbeat(serial: number, deviceId: string): Exchange;
  alarm(fix: Fix, serial: number, deviceId: string): Exchange;
  /** Length of the next reply frame in a received stream: >0 a frame, 0 need more, <0 junk byte. */
  replyLength(buf: Buffer, offset: number): number;
  /** Whether a reply is the expected one (default: the same bytes). */
  matches?(reply: Buffer, expected: Buffer): boolean;
  /** The device over UDP, when it speaks differently there (absent: the same frames as over TCP). */
  udp?: DeviceProtocol;
}

/** One HTTP request a simulated phone makes, and the status it must get back. */
export interface HttpExchange {
  method: 'GET' | 'POST';
  /** Path and query. */
  path: string;
  headers: Record<string, string>;
  body: string;
  expectStatus: number;
}

/**
 * The device side of a protocol spoken over HTTP (phone apps): the simulator sends these requests with
 * Node's HTTP client over a keep-alive connection, as the apps do, and checks each answer's status and body.
 */
export interface HttpDeviceProtocol {
  name: string;
  http: true;
  deviceId(index: number): string;
  position(fix: Fix, deviceId: string): HttpExchange;
  /** A report while standing still (the apps' heartbeat setting). */
  heartbeat(fix: Fix, deviceId: string): HttpExchange;
  /** The SOS button. */
  alarm(fix: Fix, deviceId: string): HttpExchange;
}
