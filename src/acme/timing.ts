// When to renew and when to try again. Pure functions of the certificate's dates, the failure
// count and the clock, so the schedule is tested without waiting.

/** The moment a certificate valid from notBefore to notAfter is due: `percent` of its lifetime
 *  in (two thirds by default: day 60 of Let's Encrypt's 90, leaving 30 days for failures). */
export function renewalDue(cert: { notBefore: Date; notAfter: Date }, percent: number): Date {
  const life = cert.notAfter.getTime() - cert.notBefore.getTime();
  return new Date(cert.notBefore.getTime() + Math.floor((life * percent) / 100));
}

/** Wait before attempt number failures+1: min, doubling per failure, at most max; a CA's
 *  Retry-After (rate limits, RFC 8555 6.6) is honoured when longer. */
export function retryDelayMs(opts: {
  failures: number;
  minSec: number;
  maxSec: number;
  retryAfterSec?: number;
}): number {
  const exp = Math.min(Math.max(opts.failures - 1, 0), 30);
  const backoff = Math.min(opts.minSec * 2 ** exp, opts.maxSec);
  return Math.max(backoff, opts.retryAfterSec ?? 0) * 1000;
}

/** Whole days left before notAfter (negative once expired). */
export function daysLeft(notAfter: Date, now: Date): number {
  return Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000);
}
