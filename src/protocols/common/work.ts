/**
 * Counts the bytes a framer examined. Framers take one as an optional last argument, so that tests can check
 * that framing stays linear in the bytes whatever arrives (many start markers in a row included).
 */
export interface ScanWork {
  work: number;
}
