/**
 * Bounded big-endian reads over a frame (or one item of it). `pos` walks the content; `stop` is where the
 * content ends (a protocol's trailer may follow); reads past `limit` throw FrameTooShort, which decoders
 * turn into a `malformed` error record: a lying length can never make a decoder read outside its bounds.
 */

export class FrameTooShort extends Error {}

export class Reader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start: number,
    /** End of the content (a checksum or trailer may follow). */
    readonly stop: number,
    /** Hard end of what may be read at all. */
    readonly limit: number = buf.length,
  ) {
    this.pos = start;
  }

  /** Content bytes left before the trailer. */
  get remaining(): number {
    return this.stop - this.pos;
  }

  private need(n: number): number {
    const at = this.pos;
    if (at + n > this.limit) throw new FrameTooShort(`needs ${at + n - this.limit} more bytes`);
    this.pos = at + n;
    return at;
  }

  u8(): number {
    return this.buf[this.need(1)];
  }

  /** Byte at the current position without consuming it. */
  peek(offset = 0): number {
    const i = this.pos + offset;
    if (i >= this.limit) throw new FrameTooShort('needs 1 more byte');
    return this.buf[i];
  }

  u16(): number {
    const i = this.need(2);
    const b = this.buf;
    return (b[i] << 8) | b[i + 1];
  }

  i16(): number {
    const v = this.u16();
    return v & 0x8000 ? v - 0x10000 : v;
  }

  u24(): number {
    const i = this.need(3);
    const b = this.buf;
    return (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
  }

  u32(): number {
    const i = this.need(4);
    const b = this.buf;
    return ((b[i] << 24) >>> 0) + ((b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]);
  }

  i32(): number {
    return this.u32() | 0;
  }

  i8(): number {
    return (this.u8() << 24) >> 24;
  }

  u32le(): number {
    const i = this.need(4);
    const b = this.buf;
    return b[i] + (b[i + 1] << 8) + (b[i + 2] << 16) + b[i + 3] * 0x1000000;
  }

  /** 64-bit unsigned as a number (exact up to 2^53, which cell IDs never reach). */
  u64(): number {
    const hi = this.u32();
    return hi * 0x100000000 + this.u32();
  }

  skip(n: number): void {
    this.need(Math.max(0, n));
  }

  hex(n: number): string {
    const i = this.need(n);
    return this.buf.toString('hex', i, i + n);
  }

  ascii(n: number): string {
    const i = this.need(Math.max(0, n));
    return this.buf.toString('latin1', i, i + Math.max(0, n));
  }

  slice(n: number): Buffer {
    const i = this.need(Math.max(0, n));
    return this.buf.subarray(i, i + Math.max(0, n));
  }
}
