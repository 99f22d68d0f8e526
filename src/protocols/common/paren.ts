/**
 * Who speaks `(`: three protocols open their frames with it (JT/T 808 e-lock text frames, TK103 and JT600 text
 * sentences). These rules, tried in this order on the start of a connection's first frame, decide; each of the
 * three `detect` functions asks them, so that no registry order can change the answer. docs/protocols/tk103.md
 * explains why they separate (and which other `(` protocols they leave unclaimed).
 */

export type ParenProtocol = 'jt808' | 'tk103' | 'jt600';

/** The ordered rules: the first that matches the frame start names its protocol. */
export const PAREN_RULES: ReadonlyArray<readonly [RegExp, ParenProtocol]> = [
  // 1. JT/T 808 e-lock: 12-digit ID, a serial, a 3-digit type: `(740190311185,1,001,ELOCK,...`
  [/^\(\d{12},\d+,\d{3},/, 'jt808'],
  // 2. TK103 comma form: ID, then a code of two capitals and two characters: `(352606090042050,BP05,`
  [/^\([0-9A-Za-z]{1,20},[A-Z]{2}[0-9A-Z]{2}[,)]/, 'tk103'],
  // 3. JT600 text: a 10-digit terminal ID and a comma: `(3301210003,U01,`, `(3460311327,@JT)`
  [/^\(\d{10},/, 'jt600'],
  // 4. TK103 fixed form: 11 to 15 ID characters glued to the code: `(088047365460BR00`, `(BALLESTEROS3BR00`
  [/^\([0-9A-Za-z]{11,15}?[A-Z]{2}\d{2}/, 'tk103'],
];

/** Longest frame start any rule needs to decide. */
export const PAREN_HEAD = 32;

/** The protocol whose rule claims a frame start (`head`: up to PAREN_HEAD characters), or undefined. */
export function parenProtocol(head: string): ParenProtocol | undefined {
  for (const [rule, protocol] of PAREN_RULES) if (rule.test(head)) return protocol;
  return undefined;
}

/** The first bytes of a `(` frame as text, for the rules above. */
export function parenHead(buf: Buffer, offset: number, end: number): string {
  return buf.toString('latin1', offset, Math.min(end, offset + PAREN_HEAD));
}

const isAlnum = (b: number) => (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);

/**
 * True when neither a rule nor what a rule needs to see more of can match the `(` frame at `offset`: every rule,
 * and every frame start the three detectors wait on, has its first letters and digits followed by a `,` (or 15 of
 * them for rule 4). Detection asks at every offset of a run of `(`: this answers most junk without building the
 * head and running the rules.
 */
export function parenRuledOut(buf: Buffer, offset: number, end: number): boolean {
  const stop = Math.min(end, offset + 16);
  let i = offset + 1;
  while (i < stop && isAlnum(buf[i])) i++;
  return i < stop && buf[i] !== 0x2c;
}
