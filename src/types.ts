/** Public data shapes shared by every layer (the README documents them for users). */
import type { CommandAnswer } from './protocols/codec';
import type { TrackerSession } from './session';
import type { AlarmName, Attributes, RecordType } from './vocabulary';

/** The protocol names the product uses (a protocol is spoken once its codec is in src/protocols/index.ts). */
export type ProtocolName =
  | 'gt06'
  | 'jt808'
  | 'jt600'
  | 'vt600'
  | 'osmand'
  | 'teltonika'
  | 'h02'
  | 'gps103'
  | 'tk103'
  | 'watch';

/** A cell tower as seen by the device (names follow the Google geolocation API, as Traccar does). */
export interface CellTower {
  mcc: number;
  mnc: number;
  lac: number;
  cid: number;
  rssi?: number;
}

/** A Wi-Fi access point seen by the device. */
export interface WifiAccessPoint {
  mac: string;
  rssi?: number;
}

/** Radio environment reported instead of (or beside) a GPS fix. */
export interface NetworkInfo {
  cellTowers?: CellTower[];
  wifiAccessPoints?: WifiAccessPoint[];
}

/**
 * One decoded record: `msg.payload` of tracker-in, `msg.topic` = deviceId.
 * Optional fields are absent (not undefined) when the device did not send them.
 */
export interface TrackerMessage {
  protocol: ProtocolName;
  /** GT06/VT600: IMEI; JT808: terminal phone/ID digits; JT600: terminal ID without leading zeros. */
  deviceId: string;
  /** What the record is (see RECORD_TYPES): `position` when it carries a location. */
  type: RecordType;
  /** Fix time (or device time when there is no fix), ISO-8601 UTC. */
  time: string;
  /** Server receive time, ISO-8601 UTC. */
  receivedAt: string;
  lat?: number;
  lon?: number;
  valid?: boolean;
  /** km/h */
  speed?: number;
  /** degrees, 0-359 */
  course?: number;
  /** metres */
  altitude?: number;
  satellites?: number;
  /** Alarm names from the vocabulary (ALARMS): sos, powerCut, vibration, overspeed, lowBattery, ... */
  alarms: AlarmName[];
  ignition?: boolean;
  /** Cells and Wi-Fi access points, when the record carries them. */
  network?: NetworkInfo;
  /** Everything else, under the vocabulary's names and units (ATTRIBUTES): odometer m, batteryLevel %, power V... */
  attributes: Attributes;
  // Raw bitfields, kept for tracker-flags (which names their bits per protocol).
  /** GT06: terminal information byte. */
  terminalInfo?: number;
  /** JT/T 808: 0x0200 alarm word. */
  alarmFlags?: number;
  /** JT/T 808: 0x0200 status word. */
  statusFlags?: number;
  /** JT/T 808: extended vehicle signal status (item 0x25). */
  vehicleSignals?: number;
  /** JT600: the status word, laid out as `statusFormat` says. */
  status?: number;
  statusFormat?: 'jt701' | 'v2' | 'v3' | 'text';
  /** VT600: system status, digital inputs and outputs. */
  systemStatus?: number;
  inputs?: number;
  outputs?: number;
}

/** Something the session dropped or could not decode. Never thrown: returned and counted. */
export interface DecodeError {
  /** Machine-readable reason. */
  code: DecodeErrorCode;
  /** Human-readable explanation. */
  message: string;
  protocol?: ProtocolName;
  deviceId?: string;
  /** Up to the first 64 bytes concerned, as hex, for diagnosis. */
  hex?: string;
}

export type DecodeErrorCode =
  | 'junk' // bytes that are not part of any frame, skipped while resynchronising
  | 'unknown-protocol' // first bytes match no supported protocol
  | 'oversize' // a frame longer than the buffer cap
  | 'checksum' // CRC / XOR / sum mismatch (decoded anyway unless strictChecksum)
  | 'length' // declared length does not match the frame
  | 'malformed' // a frame too short or inconsistent to decode
  | 'unknown-type' // a message type the codec does not decode
  | 'not-identified' // a frame before login / identification: dropped, no reply
  | 'rejected' // device refused by policy
  | 'invalid-id' // a device ID outside its protocol's charset or length: the frame is dropped, nobody identified
  | 'codec-exception' // a decoder threw (a bug of ours): that frame or request is lost, never the connection
  | 'suspect'; // decoded, but a value looks wrong (device clock off by whole hours, no hemisphere letter)

/** Running totals of one session, for status displays and tests. */
export interface SessionStats {
  bytes: number;
  frames: number;
  messages: number;
  replies: number;
  errors: number;
  droppedBytes: number;
  checksumErrors: number;
  unknownTypes: number;
  /** Frames, requests or polls on which a decoder threw (a bug of ours; tests assert it stays 0). */
  codecExceptions: number;
  /** Frames dropped because the device ID they gave does not fit the protocol's `deviceIdPattern`. */
  invalidIds: number;
}

export interface SessionOptions {
  /** 'auto' detects the protocol from the first bytes; otherwise the connection is pinned to one protocol. */
  protocol?: 'auto' | ProtocolName;
  /** In auto mode, the protocols to consider (default: all). */
  protocols?: readonly ProtocolName[];
  /** Upper bound of bytes held for an incomplete frame (default 16384). */
  maxBufferBytes?: number;
  /** Drop frames whose checksum is wrong instead of decoding and reporting them (default false, as Traccar). */
  strictChecksum?: boolean;
  /**
   * Offset of the device clock from UTC in minutes, overriding what the device announces
   * (GT06 login timezone) and the protocol default (JT808: +480).
   */
  timezoneOffset?: number;
  /** 'tcp' (default) or 'udp': some replies differ by transport. */
  transport?: 'tcp' | 'udp';
  /** Seconds to wait for the missing packages of a sub-packaged JT/T 808 message before asking again (default 10). */
  reassemblyTimeout?: number;
  /** Device model, for protocols whose layout depends on it (GT06: NT20, XT40, VL103, LW4G-4B, SEEWORLD, R11...). */
  model?: string;
  /** Clock used for receivedAt and time replies (ms since epoch); tests pin it. */
  now?: () => number;
  /**
   * The identity policy, asked before anything of a frame that names a device ID new to the session (a login, a
   * header ID that changed) is acknowledged or emitted, and for every HTTP request (`credential`: the secret it
   * presented). Returns why the ID is refused, or undefined to serve it. On a refusal that frame's records,
   * replies and answers are discarded, the rest of the chunk is not read, the session reads nothing more, and
   * `refused` in the result says so (the server then closes the connection).
   */
  refuseDevice?: (deviceId: string, session: TrackerSession, credential?: string) => string | undefined;
}

/** A device ID the identity policy refused (see SessionOptions.refuseDevice). */
export interface Refusal {
  deviceId: string;
  reason: string;
  /** What the protocol answers a refused device (Teltonika: `00` to the IMEI login), to write before closing. */
  reply?: Buffer;
}

export interface PushResult {
  messages: TrackerMessage[];
  replies: Buffer[];
  errors: DecodeError[];
  /** What the decoded frames say about commands sent earlier (see CommandAnswer). */
  answers: CommandAnswer[];
  /**
   * The connection turned out to speak HTTP (a phone): these bytes, from the start of its first request,
   * and everything that follows on the connection, belong to an HTTP parser (the server hands the socket to
   * one; see HttpIntake). Requests are then decoded one by one with `session.decodeRequest`.
   */
  handover?: Buffer;
  /** The identity policy refused the device ID of a frame: nothing after it was read (see SessionOptions.refuseDevice). */
  refused?: Refusal;
}

/** What `session.decodeRequest` makes of one HTTP request. */
export interface RequestResult extends PushResult {
  /** The status to answer (200, or 400 for a request without a usable device ID or an unreadable body). */
  status: number;
  /** The secret the request presented, for the server's token check (never in a record). */
  credential?: string;
  /** Whether the answer may carry a queued command as its body. */
  commands: boolean;
}
