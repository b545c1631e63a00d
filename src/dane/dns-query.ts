// One DNS query that reports what Node's resolver hides: the AD bit and the RCODE, and record
// types it cannot ask for (TLSA, RFC 6698). DANE needs both: RFC 7672 2.2 applies it only to
// RRsets the resolver validated. The query sets DO in an EDNS0 OPT record (RFC 3225, RFC 6891)
// and AD in the header (RFC 6840 5.7: "I understand AD, tell me"); it goes over UDP to the
// configured servers in turn and again over TCP when the answer is truncated (RFC 7766 5).
// Bounded: a deadline per try, at most `tries` rounds over the servers, answers of at most
// 64 KiB (TCP's length prefix) and the record count `maxAnswers`. Wire format through
// dns-packet, whose name decoder takes only backward compression pointers (no loops).
import { randomInt } from "node:crypto";
import dgram from "node:dgram";
import dns from "node:dns";
import net, { isIP } from "node:net";
import packet from "dns-packet";

export type QueryType = "TLSA" | "MX" | "A" | "AAAA";

export interface DnsQueryOptions {
  /** "ip", "ip:port" or "[v6]:port"; empty = the system's servers (resolv.conf). */
  servers: string[];
  timeoutMs: number;
  tries: number;
  /** Most answer records kept; more is an error (a response that big is not a TLSA RRset). */
  maxAnswers: number;
}

export type Rcode = "NOERROR" | "NXDOMAIN" | "SERVFAIL" | "REFUSED" | "OTHER";

export interface DnsAnswer {
  rcode: Rcode;
  /** The resolver says every RRset in the answer (or the denial) validated (RFC 4035 3.2.3). */
  ad: boolean;
  answers: packet.Answer[];
}

export class DnsQueryError extends Error {
  override name = "DnsQueryError";
}

const UDP_PAYLOAD = 1232; // RFC 9715 / DNS flag day 2020: no fragmentation

export async function dnsQuery(name: string, type: QueryType, opts: DnsQueryOptions): Promise<DnsAnswer> {
  const servers = (opts.servers.length > 0 ? opts.servers : dns.getServers()).map(parseServer);
  if (servers.length === 0) throw new DnsQueryError("no DNS server configured");
  let lastError: unknown = null;
  for (let round = 0; round < Math.max(1, opts.tries); round++) {
    for (const server of servers) {
      try {
        return await queryOne(server, name, type, opts);
      } catch (e) {
        lastError = e;
      }
    }
  }
  throw new DnsQueryError(`${name} ${type}: ${lastError instanceof Error ? lastError.message : lastError}`);
}

interface Server {
  host: string;
  port: number;
}

export function parseServer(s: string): Server {
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(s);
  if (v6?.[1] && v6[2]) return { host: v6[1], port: Number(v6[2]) };
  if (isIP(s)) return { host: s, port: 53 };
  const i = s.lastIndexOf(":");
  if (i > 0 && isIP(s.slice(0, i)) === 4) return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
  throw new DnsQueryError(`not a DNS server address: ${s}`);
}

function encodeQuery(id: number, name: string, type: QueryType): Buffer {
  return packet.encode({
    type: "query",
    id,
    flags: packet.RECURSION_DESIRED | packet.AUTHENTIC_DATA,
    questions: [{ type, name, class: "IN" }],
    additionals: [
      {
        type: "OPT",
        name: ".",
        udpPayloadSize: UDP_PAYLOAD,
        extendedRcode: 0,
        ednsVersion: 0,
        flags: packet.DNSSEC_OK,
        flag_do: true,
        options: [],
      },
    ],
  });
}

async function queryOne(server: Server, name: string, type: QueryType, opts: DnsQueryOptions) {
  const id = randomInt(0, 0x10000);
  const query = encodeQuery(id, name, type);
  let raw = await udpExchange(server, query, opts.timeoutMs);
  let res = decodeFor(raw, id, name);
  if (res.flag_tc) {
    raw = await tcpExchange(server, query, opts.timeoutMs);
    res = decodeFor(raw, id, name);
  }
  const answers = res.answers ?? [];
  if (answers.length > opts.maxAnswers)
    throw new DnsQueryError(`${answers.length} records in the answer (limit ${opts.maxAnswers})`);
  return { rcode: rcodeOf(res.flags ?? 0), ad: res.flag_ad, answers } satisfies DnsAnswer;
}

function decodeFor(raw: Buffer, id: number, name: string): packet.DecodedPacket {
  let res: packet.DecodedPacket;
  try {
    res = packet.decode(raw);
  } catch (e) {
    throw new DnsQueryError(`malformed DNS answer: ${(e as Error).message}`);
  }
  // RFC 5452 9.1: the answer must match the query's id and question, or it is someone else's.
  const q = res.questions?.[0];
  if (res.id !== id || !res.flag_qr || !q || q.name.toLowerCase() !== name.toLowerCase().replace(/\.$/, ""))
    throw new DnsQueryError("DNS answer does not match the query");
  return res;
}

function rcodeOf(flags: number): Rcode {
  switch (flags & 0xf) {
    case 0:
      return "NOERROR";
    case 2:
      return "SERVFAIL";
    case 3:
      return "NXDOMAIN";
    case 5:
      return "REFUSED";
    default:
      return "OTHER";
  }
}

/** The one ending of an exchange, UDP or TCP: the answer, an error or the deadline, whichever
 *  comes first; the socket is closed and later events are ignored. */
function settleOnce(o: {
  timeoutMs: number;
  timeoutMessage: string;
  close: () => void;
  resolve: (msg: Buffer) => void;
  reject: (e: Error) => void;
}): (err: Error | null, msg?: Buffer) => void {
  let done = false;
  const finish = (err: Error | null, msg?: Buffer) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    o.close();
    if (err || !msg) o.reject(err ?? new DnsQueryError("no answer"));
    else o.resolve(msg);
  };
  const timer = setTimeout(() => finish(new DnsQueryError(o.timeoutMessage)), o.timeoutMs);
  return finish;
}

function udpExchange(server: Server, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(isIP(server.host) === 6 ? "udp6" : "udp4");
    const finish = settleOnce({
      timeoutMs,
      timeoutMessage: `no answer from ${server.host} in ${timeoutMs} ms`,
      close: () => sock.close(),
      resolve,
      reject,
    });
    sock.on("error", (e) => finish(e));
    // Only a datagram from the server asked counts (RFC 5452 9.1); others are ignored.
    sock.on("message", (msg, rinfo) => {
      if (rinfo.address === server.host && rinfo.port === server.port) finish(null, msg);
    });
    sock.send(query, server.port, server.host, (e) => {
      if (e) finish(e);
    });
  });
}

function tcpExchange(server: Server, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: server.host, port: server.port });
    let buf = Buffer.alloc(0);
    const finish = settleOnce({
      timeoutMs,
      timeoutMessage: `no TCP answer from ${server.host} in ${timeoutMs} ms`,
      close: () => sock.destroy(),
      resolve,
      reject,
    });
    sock.on("error", (e) => finish(e));
    sock.on("close", () => finish(new DnsQueryError("DNS server closed the TCP connection")));
    sock.on("data", (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      // RFC 1035 4.2.2: a two-octet length, then the message (so at most 64 KiB).
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0))
        finish(null, buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
    const head = Buffer.alloc(2);
    head.writeUInt16BE(query.length);
    sock.write(Buffer.concat([head, query]));
  });
}
