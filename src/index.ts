/** Library entry: usable from plain Node without Node-RED. */
export { createSession, TrackerSession } from './session';
export { CODECS, getCodec, detectProtocol } from './protocols';
export type { Codec, CommandAnswer, CommandRequest, Connection, DecodeOutput, EncodedCommand } from './protocols/codec';
export * from './types';
export { TrackerServer, createTrackerServer } from './server/tracker-server';
export type { CommandEvent, CommandOptions, ServerStats, TrackerServerEvents } from './server/tracker-server';
export { CommandQueue } from './server/command-queue';
export type { CommandRecord, CommandStatus, CommandStore, PersistedCommands } from './server/command-queue';
export { JsonFileStore } from './server/file-store';
export type { ServerOptions } from './server/options';
export type { DeviceInfo, PeerInfo, Transport } from './server/registry';
export { expandFlags, flagChanges, flagTables } from './flags';
export type { ExpandedFlags, FlagChanges, FlagGroup, FlagState } from './flags';
export { Simulator, DEVICE_PROTOCOLS } from './sim/simulator';
export type { SimOptions, SimSummary } from './sim/simulator';
