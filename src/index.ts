/** Library entry: usable from plain Node without Node-RED. */
export { createSession, TrackerSession } from './session';
export { CODECS, PROTOCOLS, getCodec, detectProtocol, declaredCommands } from './protocols';
export { FrameScan } from './protocols/common/scan';
export type {
  Codec,
  CommandAnswer,
  CommandRequest,
  Connection,
  DecodeOutput,
  EncodedCommand,
  HttpRequest,
  HttpVerdict,
} from './protocols/codec';
export * from './types';
export * from './vocabulary';
export { TrackerServer, createTrackerServer } from './server/tracker-server';
export type { CommandEvent, CommandOptions, ServerStats, TrackerServerEvents } from './server/tracker-server';
export { CommandQueue } from './server/command-queue';
export { CommandLifecycle } from './server/commands';
export type { CommandRecord, CommandStatus, CommandStore, PersistedCommands } from './server/command-queue';
export { JsonFileStore } from './server/file-store';
export type { ClusterOptions, ServerOptions } from './server/options';
export { HttpIntake, HTTP_INTAKE_DEFAULTS } from './server/http-intake';
export type { HttpAnswer, HttpIntakeOptions, HttpProblem } from './server/http-intake';
export { HttpReplay } from './server/http-replay';
export { parseProxyHeader, proxySignature, MAX_V1_HEADER, MAX_V2_HEADER } from './server/proxy-protocol';
export type { ProxyEndpoint, ProxyParse } from './server/proxy-protocol';
export { TrustedProxies } from './server/trusted-proxies';
export { OfferBook, OfferDesk, OfferExchange } from './server/cluster-commands';
export type { DeskAction, ExchangeIO, NewOffer } from './server/cluster-commands';
export { ClusterTopics } from './server/cluster-protocol';
export type { DirectoryEntry, Grant, InboxMessage, InstanceRef, Offer } from './server/cluster-protocol';
export type { DeviceInfo, PeerInfo, Transport } from './server/registry';
export { expandFlags, flagChanges } from './flags';
export type { FlagBit, FlagTable, ProtocolFlags } from './protocols/common/flags';
export { validateCommand } from './protocols/common/commands';
export type { CommandParam, CommandSpec, ValidCommand } from './protocols/common/commands';
export type { ExpandedFlags, FlagChanges, FlagGroup, FlagState } from './flags';
export { Simulator, DEVICE_PROTOCOLS } from './sim/simulator';
export type { SimOptions, SimSummary } from './sim/simulator';
export { DeviceEventTracker } from './events/device-events';
export type { DeviceEvent, DeviceEventOptions, DerivedFigures } from './events/device-events';
export { GeofenceTracker } from './geo/geofence';
export type { GeofenceEvent } from './geo/geofence';
export { parseZones, insideZone, zonesToGeoJson } from './geo/zones';
export type { Zone, CircleZone, PolygonZone } from './geo/zones';
export { distance, bearing, destination, insidePolygon } from './geo/geo';
export type { LatLon } from './geo/geo';
export { JsonFile } from './server/file-store';
export { crc16x25, crc16ibm, xor8, sum8 } from './protocols/common/checksum';
