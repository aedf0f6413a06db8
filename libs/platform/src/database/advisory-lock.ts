import { createHash } from 'node:crypto';

/** A stable 63-bit advisory lock id derived from a name, so each service has its own lock. */
export function advisoryLockId(name: string): string {
  const digest = createHash('sha256').update(name).digest();
  return (digest.readBigInt64BE(0) & 0x7fffffffffffffffn).toString();
}
