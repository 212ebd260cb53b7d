import { TFLAG } from './nbd-constants';
import type { NbdExport } from './nbd-server-types';

export function transmissionFlags(exp: NbdExport, structured: boolean): number {
  const b = exp.backend;
  let flags = TFLAG.HAS_FLAGS | TFLAG.SEND_FLUSH | TFLAG.SEND_CACHE;
  if (b.readOnly || !b.write) flags |= TFLAG.READ_ONLY;
  else {
    flags |= TFLAG.SEND_FUA | TFLAG.SEND_WRITE_ZEROES;
    if (b.writeZeroes) flags |= TFLAG.SEND_FAST_ZERO;
    if (b.trim) flags |= TFLAG.SEND_TRIM;
  }
  if (structured) flags |= TFLAG.SEND_DF;
  if (exp.multiConn) flags |= TFLAG.CAN_MULTI_CONN;
  return flags;
}
