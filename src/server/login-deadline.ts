// Before login a connection has two clocks: the idle timeout (reset by every command) and the
// login deadline, counted from connecting and never extended, so a client sending CAPA every few
// seconds cannot keep an unauthenticated connection forever (issue 18, finding 5). After login
// only the idle timeout counts. POP3 and ManageSieve keep one of these per session.
export class LoginDeadline {
  private by: number;
  /** The last wait measured by waitMs() was cut by the deadline, not by the idle timeout. */
  private lastWaitToDeadline = false;

  constructor(private readonly seconds: number) {
    this.by = Date.now() + seconds * 1000;
  }

  /** Starts the deadline over (ManageSieve's UNAUTHENTICATE). */
  restart(): void {
    this.by = Date.now() + this.seconds * 1000;
    this.lastWaitToDeadline = false;
  }

  /** How long a read before login may wait: idleMs or the time left to the deadline, the less. */
  waitMs(idleMs: number): number {
    const left = this.by - Date.now();
    this.lastWaitToDeadline = left <= idleMs;
    return Math.max(0, Math.min(idleMs, left));
  }

  /** The deadline has passed. afterTimeout: a read has just timed out, and if its wait ran to the
   *  deadline that counts as passed (a timer may fire a millisecond before Date.now() reaches
   *  its end, and the client must be told the deadline, not idleness, closed it). */
  passed(afterTimeout = false): boolean {
    return Date.now() >= this.by || (afterTimeout && this.lastWaitToDeadline);
  }
}
