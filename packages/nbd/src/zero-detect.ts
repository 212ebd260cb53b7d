const ZERO_PAGE = Buffer.alloc(64 * 1024);

/** memcmp against a zero page: stops at the first non-zero byte, so random data costs almost nothing. */
export function isZero(data: Buffer): boolean {
  for (let at = 0; at < data.length; at += ZERO_PAGE.length) {
    const n = Math.min(ZERO_PAGE.length, data.length - at);
    if (data.compare(ZERO_PAGE, 0, n, at, at + n) !== 0) return false;
  }
  return true;
}
