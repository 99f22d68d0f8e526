/** What one JT/T 808 connection remembers between frames. */

/** A sub-packaged message being put back together. */
export interface Reassembly {
  msgId: number;
  total: number;
  /**
   * Package bodies received, by index (1-based). Only what came is held: a header claiming 65535 packages costs
   * what its frame carried, not a slot per claimed package.
   */
  parts: Map<number, Buffer>;
  /** Bytes accounted to this message: each package's body plus a fixed cost per package. */
  bytes: number;
  /** Serial of package 1 (the 0x8003 request names it). */
  firstSerial: number;
  /** Header of the first package seen, for the reply once complete. */
  version: number | undefined;
  idBytes: Buffer;
  lastActivity: number;
  /** 0x8003 retransmission requests since the last new package. */
  requests: number;
}

export interface Jt808State {
  /** 2019 protocol version byte of the terminal's last header (undefined: 2011/2013). */
  version: number | undefined;
  /** The terminal's ID bytes as it sends them; every message to it echoes them. */
  idBytes: Buffer | undefined;
  /** `7e`, or `e7` for the vendor variant. */
  delimiter: number;
  /** Serial number of our next message to the terminal. */
  serial: number;
  reassembly: Map<string, Reassembly>;
  /** Sum of the messages' `bytes`: bounded per connection (REASSEMBLY.maxBytes). */
  reassemblyBytes: number;
  /** A frame with a right check code and length came on this connection: damaged ones are decoded from now on. */
  trusted: boolean;
  /** Our command serials whose answer is a data message after the general response (0x8104 -> 0x0104...). */
  queries: Map<number, number>;
}

export function createJt808State(): Jt808State {
  return {
    version: undefined,
    idBytes: undefined,
    delimiter: 0x7e,
    serial: 0,
    reassembly: new Map(),
    reassemblyBytes: 0,
    queries: new Map(),
    trusted: false,
  };
}

export function nextSerial(state: Jt808State): number {
  const s = state.serial;
  state.serial = (s + 1) & 0xffff;
  return s;
}
