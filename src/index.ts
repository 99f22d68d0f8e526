/** Library entry: usable from plain Node without Node-RED. */
export { createSession, TrackerSession } from './session';
export { CODECS, getCodec, detectProtocol } from './protocols';
export type { Codec, CommandRequest, Connection, DecodeOutput } from './protocols/codec';
export * from './types';
export { TrackerServer, createTrackerServer } from './server/tracker-server';
export type { ServerStats, TrackerServerEvents } from './server/tracker-server';
export type { ServerOptions } from './server/options';
export type { DeviceInfo, PeerInfo, Transport } from './server/registry';
