// The DNS lookups the mail system makes. Delivery (MX), SPF/DKIM/DMARC checks, MTA-STS and the
// admin DNS page all go through this one interface, so tests point every one of them at a DNS
// server they run themselves (src/testing/dns-server.ts) and nothing leaves the machine.

export interface MxRecord {
  exchange: string; // "" or "." for a null MX (RFC 7505)
  priority: number;
}

export interface DnsResolver {
  resolveMx(name: string): Promise<MxRecord[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
  /** TXT records, each as its character-strings (join them for SPF/DKIM/DMARC). */
  resolveTxt(name: string): Promise<string[][]>;
  resolveCname(name: string): Promise<string[]>;
  resolveSrv(name: string): Promise<{ name: string; port: number; priority: number; weight: number }[]>;
  resolvePtr(name: string): Promise<string[]>;
  /** Generic form with dns.promises.resolve's shape, for libraries that take a resolver (mailauth). */
  resolve(name: string, rrtype: string): Promise<unknown>;
}

/** A name that does not exist, or exists without records of the asked type. */
export function isNoData(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "ENOTFOUND" || code === "ENODATA" || code === "NXDOMAIN";
}
