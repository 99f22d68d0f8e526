/**
 * Voice messages a watch sends in chunks (`JXTK,0,<name>,<k>,<n>,<AMR bytes>`, 1024 bytes each): put together
 * in order, within fixed bounds, per connection. A chunk out of order, a message past the bounds or one left
 * unfinished for too long is dropped with an error, never kept.
 */

/** Largest voice message kept (about five minutes of AMR at 12.2 kbit/s). */
export const MAX_VOICE_BYTES = 512 * 1024;
/** Most chunks one message may announce. */
export const MAX_VOICE_CHUNKS = 1024;
/** An unfinished message is dropped after this long without its next chunk. */
export const VOICE_TIMEOUT_MS = 120_000;

export interface VoiceAssembly {
  name: string;
  /** Chunk number expected next (1-based). */
  next: number;
  total: number;
  chunks: Buffer[];
  size: number;
  /** Receive time of the last chunk, ms. */
  updated: number;
}

export type VoiceResult = { done: false; error?: string } | { done: true; name: string; audio: Buffer; error?: string };

/**
 * Adds chunk `k` of `total` of the message `name` (the data is copied). Chunk 1 starts a message (dropping an
 * unfinished one); any other chunk must be the next of the message being assembled.
 */
export function addVoiceChunk(
  holder: { voice?: VoiceAssembly },
  name: string,
  k: number,
  total: number,
  data: Buffer,
  now: number,
): VoiceResult {
  let error: string | undefined;
  let v = holder.voice;
  if (k === 1) {
    if (v) error = `voice message ${v.name} dropped unfinished (chunk ${v.next - 1} of ${v.total})`;
    v = holder.voice = { name, next: 1, total, chunks: [], size: 0, updated: now };
  }
  if (!v || v.name !== name || v.next !== k || v.total !== total) {
    holder.voice = undefined;
    return { done: false, error: `voice chunk ${k} of ${total} of ${name} out of order: message dropped` };
  }
  if (total < 1 || total > MAX_VOICE_CHUNKS || v.size + data.length > MAX_VOICE_BYTES) {
    holder.voice = undefined;
    return { done: false, error: `voice message ${name} larger than ${MAX_VOICE_BYTES} bytes: dropped` };
  }
  v.chunks.push(Buffer.from(data));
  v.size += data.length;
  v.next++;
  v.updated = now;
  if (k < total) return { done: false, error };
  holder.voice = undefined;
  return { done: true, name, audio: Buffer.concat(v.chunks, v.size), error };
}

/** Drops a message whose next chunk is overdue; returns why, when it did. */
export function expireVoice(holder: { voice?: VoiceAssembly }, now: number): string | undefined {
  const v = holder.voice;
  if (!v || now - v.updated < VOICE_TIMEOUT_MS) return undefined;
  holder.voice = undefined;
  return `voice message ${v.name} dropped: chunk ${v.next} of ${v.total} never came`;
}
