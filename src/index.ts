/** Library entry: usable from plain Node without Node-RED. */
export { createSession, TrackerSession } from './session';
export { CODECS, getCodec, detectProtocol } from './protocols';
export type { Codec, CommandRequest, Connection, DecodeOutput } from './protocols/codec';
export * from './types';
