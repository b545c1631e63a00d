// DNS SRV records for mail clients: RFC 6186 (_imap, _imaps, _pop3, _pop3s, _submission) and
// RFC 8314 §5.1 (_submissions for implicit-TLS submission), RFC 5804 §1.8 (_sieve: ManageSieve,
// which sieve-connect looks up when given no server). Implicit TLS gets the lower
// (preferred) priority, as RFC 8314 §5.1 asks. A service we do not offer is published with
// target "." (RFC 6186 §4), so clients do not go guessing.
import type { ClientEndpoints, Endpoint } from "./endpoints.js";

export interface SrvRecord {
  name: string; // owner name, e.g. "_imaps._tcp.example.org"
  priority: number;
  weight: number;
  port: number;
  target: string; // "." = service not offered
}

const SERVICES: { label: string; pick: (e: ClientEndpoints) => Endpoint | undefined; priority: number }[] = [
  { label: "_imaps", pick: (e) => e.imap.find((x) => x.socket === "SSL"), priority: 0 },
  { label: "_imap", pick: (e) => e.imap.find((x) => x.socket === "STARTTLS"), priority: 10 },
  { label: "_pop3s", pick: (e) => e.pop3.find((x) => x.socket === "SSL"), priority: 20 },
  { label: "_pop3", pick: (e) => e.pop3.find((x) => x.socket === "STARTTLS"), priority: 30 },
  { label: "_submissions", pick: (e) => e.submission.find((x) => x.socket === "SSL"), priority: 0 },
  { label: "_submission", pick: (e) => e.submission.find((x) => x.socket === "STARTTLS"), priority: 10 },
  { label: "_sieve", pick: (e) => e.managesieve[0], priority: 0 },
];

export function srvRecords(endpoints: ClientEndpoints, domain: string): SrvRecord[] {
  return SERVICES.map(({ label, pick, priority }) => {
    const e = pick(endpoints);
    const name = `${label}._tcp.${domain}`;
    return e
      ? { name, priority, weight: 1, port: e.port, target: e.hostname }
      : { name, priority: 0, weight: 0, port: 0, target: "." };
  });
}
