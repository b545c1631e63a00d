// The PROXY protocol header (HAProxy's proxy-protocol.txt, versions 1 and 2): the first bytes a
// load balancer sends on a connection, naming the client's address and port. Pure: bytes in,
// typed header out; the socket side is reader.ts.
//
// parseProxyHeader is called on what has arrived so far and says "more" until the header is
// whole, so it is called once per TCP segment; each call looks at a bounded prefix only (107
// octets for v1, 16 then the declared length for v2), never at the data behind the header.
import { isIPv4, isIPv6 } from "node:net";

export interface Endpoint {
  address: string;
  port: number;
}

/** "proxy": the connection is relayed for `source`. "local": the balancer speaks for itself (a
 *  health check: v2 LOCAL) or cannot say (v1 UNKNOWN, v2 UNSPEC or UNIX), and the socket's own
 *  addresses stand. */
export type ProxyHeader =
  | { command: "proxy"; version: 1 | 2; source: Endpoint; destination: Endpoint }
  | { command: "local"; version: 1 | 2 };

export type ParseResult =
  | { kind: "more" }
  | { kind: "error"; reason: string }
  | { kind: "ok"; header: ProxyHeader; length: number };

/** §2.1: "the maximum line lengths the receiver must support including the CRLF are 107". */
export const V1_MAX = 107;
/** §2.2: the fixed part of a v2 header. */
export const V2_SIGNATURE = Buffer.from([
  0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
]);
const V1_PREFIX = Buffer.from("PROXY ", "latin1");
const MORE: ParseResult = { kind: "more" };

/** The header at the start of `buf`, if whole. maxV2Bytes caps a v2 header's total size. */
export function parseProxyHeader(buf: Buffer, maxV2Bytes: number): ParseResult {
  if (buf.length === 0) return MORE;
  if (buf[0] === 0x50) return parseV1(buf);
  if (buf[0] === 0x0d) return parseV2(buf, maxV2Bytes);
  return { kind: "error", reason: "no PROXY header" };
}

/** §2.1: "PROXY" SP ("TCP4" | "TCP6" | "UNKNOWN") [SP src SP dst SP sport SP dport] CRLF. */
function parseV1(buf: Buffer): ParseResult {
  const head = Math.min(buf.length, V1_PREFIX.length);
  if (!buf.subarray(0, head).equals(V1_PREFIX.subarray(0, head)))
    return { kind: "error", reason: "no PROXY header" };
  const end = buf.subarray(0, V1_MAX).indexOf("\r\n", 0, "latin1");
  if (end < 0) return buf.length >= V1_MAX ? { kind: "error", reason: "v1 line too long" } : MORE;
  const line = buf.toString("latin1", V1_PREFIX.length, end);
  const length = end + 2;
  // §2.1: with UNKNOWN "the receiver must ignore anything presented before the CRLF".
  if (line === "UNKNOWN" || line.startsWith("UNKNOWN "))
    return { kind: "ok", header: { command: "local", version: 1 }, length };
  const parts = line.split(" ");
  if (parts.length !== 5) return { kind: "error", reason: "v1 header malformed" };
  const [proto, src = "", dst = "", sport = "", dport = ""] = parts;
  const valid = proto === "TCP4" ? isIPv4 : proto === "TCP6" ? isIPv6 : null;
  if (!valid) return { kind: "error", reason: "v1 protocol not TCP4, TCP6 or UNKNOWN" };
  const sp = port(sport);
  const dp = port(dport);
  if (!valid(src) || !valid(dst) || sp === null || dp === null)
    return { kind: "error", reason: "v1 address or port malformed" };
  return {
    kind: "ok",
    header: {
      command: "proxy",
      version: 1,
      source: { address: src, port: sp },
      destination: { address: dst, port: dp },
    },
    length,
  };
}

/** §2.1: a port is a decimal 0-65535 without leading zeros. */
function port(s: string): number | null {
  if (!/^(?:0|[1-9]\d{0,4})$/.test(s)) return null;
  const n = Number(s);
  return n <= 65535 ? n : null;
}

/** §2.2: 12-octet signature, version and command, family and transport, 16-bit length, then that
 *  many octets of addresses and TLVs (skipped: nothing here needs them). */
function parseV2(buf: Buffer, maxV2Bytes: number): ParseResult {
  const head = Math.min(buf.length, V2_SIGNATURE.length);
  if (!buf.subarray(0, head).equals(V2_SIGNATURE.subarray(0, head)))
    return { kind: "error", reason: "no PROXY header" };
  if (buf.length < 16) return MORE;
  const verCmd = buf[12] ?? 0;
  const fam = buf[13] ?? 0;
  const length = 16 + buf.readUInt16BE(14);
  if (verCmd >> 4 !== 2) return { kind: "error", reason: "v2 version not 2" };
  const command = verCmd & 0x0f;
  if (command > 1) return { kind: "error", reason: "v2 command neither LOCAL nor PROXY" };
  // Refused before its body is waited for: a huge declared length costs nothing.
  if (length > maxV2Bytes) return { kind: "error", reason: `v2 header of ${length} octets over the limit` };
  if (buf.length < length) return MORE;
  // LOCAL: "the receiver must accept this connection as valid and must use the real connection
  // endpoints and discard the protocol block including the family".
  if (command === 0) return { kind: "ok", header: { command: "local", version: 2 }, length };
  const body = buf.subarray(16, length);
  switch (fam) {
    case 0x11: // TCP over IPv4: 4 + 4 + 2 + 2
      if (body.length < 12) return { kind: "error", reason: "v2 IPv4 address block short" };
      return ok(length, ipv4(body, 0), ipv4(body, 4), body.readUInt16BE(8), body.readUInt16BE(10));
    case 0x21: // TCP over IPv6: 16 + 16 + 2 + 2
      if (body.length < 36) return { kind: "error", reason: "v2 IPv6 address block short" };
      return ok(length, ipv6(body, 0), ipv6(body, 16), body.readUInt16BE(32), body.readUInt16BE(34));
    case 0x00: // UNSPEC: "the receiver should ignore the address information"
    case 0x31: // a UNIX socket: no IP address to take
      return { kind: "ok", header: { command: "local", version: 2 }, length };
    default:
      return { kind: "error", reason: `v2 family/transport 0x${fam.toString(16)} not TCP` };
  }
}

function ok(length: number, src: string, dst: string, sport: number, dport: number): ParseResult {
  return {
    kind: "ok",
    header: {
      command: "proxy",
      version: 2,
      source: { address: src, port: sport },
      destination: { address: dst, port: dport },
    },
    length,
  };
}

function ipv4(b: Buffer, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** The canonical text form (RFC 5952: lower case, longest zero run as "::"), an IPv4-mapped
 *  address as its IPv4 form, as the server keys clients. */
function ipv6(b: Buffer, at: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(b.readUInt16BE(at + i * 2));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return ipv4(b, at + 12);
  let bestAt = -1;
  let bestLen = 1; // RFC 5952 §4.2.2: a single zero group is not shortened
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestAt < 0) return hex.join(":");
  return `${hex.slice(0, bestAt).join(":")}::${hex.slice(bestAt + bestLen).join(":")}`;
}
