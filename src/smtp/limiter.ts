// Concurrent connections per listener, in total and per client IP. Refused connections never
// reach the SMTP engine.

export class ConnectionLimiter {
  private total = 0;
  private readonly perIp = new Map<string, number>();

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerIp: number,
  ) {}

  acquire(ip: string): boolean {
    const n = this.perIp.get(ip) ?? 0;
    if (this.total >= this.maxTotal || n >= this.maxPerIp) return false;
    this.total++;
    this.perIp.set(ip, n + 1);
    return true;
  }

  release(ip: string): void {
    const n = this.perIp.get(ip) ?? 0;
    if (n <= 1) this.perIp.delete(ip);
    else this.perIp.set(ip, n - 1);
    this.total = Math.max(0, this.total - 1);
  }

  get active(): number {
    return this.total;
  }
}
