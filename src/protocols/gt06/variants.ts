/**
 * GT06 frame-shape variants (docs/protocols/gt06.md): firmware families that reuse a type number with another
 * layout, told apart by header, type and length byte, re-evaluated on every frame.
 */

export enum Variant {
  Standard,
  VXT01,
  WanwayS20,
  SR411Mini,
  GT06ECard,
  Benway,
  S5,
  Space10X,
  OBD6,
  Wetrust,
  JC400,
  SL4X,
  Seeworld,
  RFID,
  LW4G,
  TRX16I,
}

/** Variant of a 7878 frame from its type and length byte (7979 frames are always standard). */
export function frameVariant(frame: Buffer): Variant {
  if (frame[0] !== 0x78 || frame.length < 6) return Variant.Standard;
  const length = frame[2];
  const type = frame[3];
  switch (type) {
    case 0x12:
      if (length === 0x24) return Variant.VXT01;
      if (length >= 0x71) return Variant.GT06ECard;
      if (length === 0x21) return Variant.Benway;
      if (length === 0x2b) return Variant.S5;
      if (length === 0x29) return Variant.Wetrust;
      return Variant.Standard;
    case 0x16:
      if (length === 0x24) return Variant.VXT01;
      if (length === 0x26) return Variant.Seeworld;
      if (length === 0x2d) return Variant.TRX16I;
      return Variant.Standard;
    case 0x24:
      if (length === 0x31) return Variant.WanwayS20;
      if (length === 0x2e) return Variant.SR411Mini;
      return Variant.Standard;
    case 0x19:
      return length >= 0x17 ? Variant.Space10X : Variant.Standard;
    case 0x13:
      return length === 0x13 ? Variant.OBD6 : Variant.Standard;
    case 0x95:
      return frame.length >= 6 && frame[4] === 0xff && frame[5] === 0xff ? Variant.JC400 : Variant.Standard;
    case 0x34:
      return length === 0x37 ? Variant.SL4X : Variant.Standard;
    case 0x31:
      return length === 0x2a ? Variant.SL4X : Variant.Standard;
    case 0x32:
      return length === 0x27 || length === 0x29 ? Variant.SL4X : Variant.Standard;
    case 0x22:
      return length === 0x2f ? Variant.Seeworld : Variant.Standard;
    case 0xa3:
      return length === 0x0c || length === 0x18 ? Variant.Seeworld : Variant.Standard;
    case 0x17:
      return length === 0x28 ? Variant.RFID : Variant.Standard;
    case 0xa2:
      return length === 0x40 ? Variant.LW4G : Variant.Standard;
    case 0x36:
      return length === 0x35 ? Variant.TRX16I : Variant.Standard;
    default:
      return Variant.Standard;
  }
}

/** Models whose layouts differ (set per device: SessionOptions.model). */
export const NT_MODELS = new Set(['NT11', 'NT20', 'NT26', 'NT40', 'NT46', 'VL100', 'XT40']);
export const VL_MODELS = new Set(['VL103', 'LL303', 'VL512', 'G18']);
