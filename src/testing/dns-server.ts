// A small authoritative DNS server for tests (RFC 1035 wire format), on 127.0.0.1, UDP and TCP
// on the same ephemeral port. The zone is plain data; `set()` replaces it while running, so a
// test can change an answer between two deliveries. Names not in the zone get NXDOMAIN; a name
// that exists with other types gets NOERROR and no answers (NODATA), which is what the resolver
// and isNoData() expect. Nothing here recurses or forwards: no packet leaves the machine.
// For DANE tests it plays a validating resolver: `ad` (for the whole server, or per record with
// `secure`) sets the AD bit of answers (RFC 4035 3.2.3), and `servfail` names answer SERVFAIL,
// as a validating resolver does for bogus data (RFC 4035 5.5).
import dgram from "node:dgram";
import net from "node:net";

export type ZoneRecord =
  | { name: string; type: "A"; value: string; ttl?: number }
  | { name: string; type: "AAAA"; value: string; ttl?: number }
  | { name: string; type: "CNAME"; value: string; ttl?: number }
  | { name: string; type: "PTR"; value: string; ttl?: number }
  | { name: string; type: "NS"; value: string; ttl?: number }
  /** One TXT record; an array is several character-strings, a long string is split at 255. */
  | { name: string; type: "TXT"; value: string | string[]; ttl?: number }
  /** exchange "." is a null MX (RFC 7505). */
  | { name: string; type: "MX"; exchange: string; priority: number; ttl?: number }
  | {
      name: string;
      type: "SRV";
      target: string;
      port: number;
      priority?: number;
      weight?: number;
      ttl?: number;
    }
  /** TLSA (RFC 6698 2.1); `data` in hex. */
  | {
      name: string;
      type: "TLSA";
      usage: number;
      selector: number;
      matchingType: number;
      data: string;
      ttl?: number;
    };

/** A record with the flag that says its RRset validated (AD in the answer, see DnsServerOptions). */
export type SecureZoneRecord = ZoneRecord & { secure?: boolean };

export interface DnsServerOptions {
  /** Set AD in every NOERROR/NXDOMAIN answer (a resolver that validated everything). Without
   *  it, AD is set only when every record in the answer is marked `secure`. */
  ad?: boolean;
  /** Names (lower case) answered with SERVFAIL: what a validating resolver says for bogus data. */
  servfail?: string[];
}

export interface DnsServer {
  port: number;
  address: string;
  /** For createDnsResolver({ servers }) and the [dns] servers key. */
  servers: string[];
  /** Replace the zone. */
  set(zone: SecureZoneRecord[], opts?: DnsServerOptions): void;
  /** Queries received so far, as "name TYPE" (lower-case name), for assertions. */
  queries: string[];
  stop(): Promise<void>;
}

const TYPES: Record<string, number> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  TLSA: 52,
};
const TYPE_NAMES = new Map(Object.entries(TYPES).map(([k, v]) => [v, k]));
const MAX_QUERIES_KEPT = 10_000;

export async function startDnsServer(
  zone: SecureZoneRecord[] = [],
  options: DnsServerOptions = {},
): Promise<DnsServer> {
  let records = zone;
  let opts = options;
  const queries: string[] = [];
  const answer = (msg: Buffer): Buffer | null => {
    const q = parseQuery(msg);
    if (!q) return null;
    if (queries.length < MAX_QUERIES_KEPT) queries.push(`${q.name} ${TYPE_NAMES.get(q.type) ?? q.type}`);
    return buildResponse(q, records, opts);
  };

  const onQuery = (udp: dgram.Socket) => (msg: Buffer, rinfo: dgram.RemoteInfo) => {
    const out = answer(msg);
    if (out) udp.send(truncateForUdp(out), rinfo.port, rinfo.address);
  };
  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((sock) => {
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    sock.on("error", () => sock.destroy());
    let buf = Buffer.alloc(0);
    sock.on("data", (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      // RFC 1035 4.2.2: each message is preceded by a two-octet length.
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const out = answer(buf.subarray(2, 2 + len));
        buf = buf.subarray(2 + len);
        if (!out) continue;
        const head = Buffer.alloc(2);
        head.writeUInt16BE(out.length);
        sock.write(Buffer.concat([head, out]));
      }
    });
  });
  // UDP takes an ephemeral port; TCP must get the same number, which may be taken: try again.
  let udp: dgram.Socket | null = null;
  let port = 0;
  for (let attempt = 0; attempt < 20 && !udp; attempt++) {
    const u = dgram.createSocket("udp4");
    u.on("message", onQuery(u));
    await new Promise<void>((resolve, reject) => {
      u.once("error", reject);
      u.bind(0, "127.0.0.1", () => resolve());
    });
    port = u.address().port;
    const ok = await new Promise<boolean>((resolve) => {
      tcp.once("error", () => resolve(false));
      tcp.listen(port, "127.0.0.1", () => resolve(true));
    });
    if (ok) udp = u;
    else await new Promise<void>((r) => u.close(() => r()));
  }
  if (!udp) throw new Error("test DNS server: no port free for both UDP and TCP");
  const udpSocket = udp;

  return {
    port,
    address: "127.0.0.1",
    servers: [`127.0.0.1:${port}`],
    set(z, o) {
      records = z;
      if (o) opts = o;
    },
    queries,
    async stop() {
      for (const s of sockets) s.destroy();
      await Promise.all([
        new Promise<void>((r) => udpSocket.close(() => r())),
        new Promise<void>((r) => tcp.close(() => r())),
      ]);
    },
  };
}

interface Query {
  id: number;
  flags: number;
  name: string;
  type: number;
  cls: number;
  question: Buffer;
}

function parseQuery(msg: Buffer): Query | null {
  if (msg.length < 12) return null;
  const id = msg.readUInt16BE(0);
  const flags = msg.readUInt16BE(2);
  if (flags & 0x8000) return null; // a response, not a query
  if (msg.readUInt16BE(4) < 1) return null;
  const labels: string[] = [];
  let off = 12;
  for (let i = 0; i < 128; i++) {
    const len = msg[off];
    if (len === undefined || len > 63) return null; // compression is not used in questions
    off++;
    if (len === 0) break;
    if (off + len > msg.length) return null;
    labels.push(msg.toString("latin1", off, off + len));
    off += len;
  }
  if (off + 4 > msg.length) return null;
  const type = msg.readUInt16BE(off);
  const cls = msg.readUInt16BE(off + 2);
  return { id, flags, name: labels.join(".").toLowerCase(), type, cls, question: msg.subarray(12, off + 4) };
}

function norm(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

function encodeName(name: string): Buffer {
  const n = norm(name);
  if (n === "") return Buffer.from([0]);
  const parts = n.split(".").map((l) => {
    const b = Buffer.from(l, "latin1");
    return Buffer.concat([Buffer.from([b.length]), b]);
  });
  return Buffer.concat([...parts, Buffer.from([0])]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function rdata(r: ZoneRecord): Buffer {
  switch (r.type) {
    case "A":
      return Buffer.from(r.value.split(".").map((x) => Number(x)));
    case "AAAA":
      return ipv6Bytes(r.value);
    case "CNAME":
    case "PTR":
    case "NS":
      return encodeName(r.value);
    case "MX":
      return Buffer.concat([u16(r.priority), encodeName(r.exchange)]);
    case "SRV":
      return Buffer.concat([u16(r.priority ?? 0), u16(r.weight ?? 0), u16(r.port), encodeName(r.target)]);
    case "TLSA":
      return Buffer.concat([Buffer.from([r.usage, r.selector, r.matchingType]), Buffer.from(r.data, "hex")]);
    case "TXT": {
      const strings = Array.isArray(r.value) ? r.value : splitTxt(r.value);
      return Buffer.concat(
        strings.map((s) => {
          const b = Buffer.from(s, "utf8");
          return Buffer.concat([Buffer.from([b.length]), b]);
        }),
      );
    }
  }
}

function splitTxt(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += 255) out.push(s.slice(i, i + 255));
  return out.length > 0 ? out : [""];
}

function ipv6Bytes(addr: string): Buffer {
  const [head = "", tail] = addr.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const fill = addr.includes("::") ? 8 - h.length - t.length : 0;
  const groups = [...h, ...Array<string>(fill).fill("0"), ...t];
  return Buffer.concat(groups.map((g) => u16(Number.parseInt(g || "0", 16))));
}

function buildResponse(q: Query, zone: SecureZoneRecord[], opts: DnsServerOptions): Buffer {
  const answers: Buffer[] = [];
  let secure = true;
  let name = q.name;
  const exists = zone.some((r) => norm(r.name) === name);
  // Follow CNAMEs inside the zone (bounded), answering with the chain, as a real server does.
  for (let hop = 0; hop < 8; hop++) {
    const here = zone.filter((r) => norm(r.name) === name);
    const wanted = here.filter((r) => TYPES[r.type] === q.type);
    const cname = here.find((r) => r.type === "CNAME");
    if (wanted.length === 0 && cname && q.type !== TYPES.CNAME) {
      answers.push(record(name, cname));
      secure &&= cname.secure === true;
      name = norm(cname.value);
      continue;
    }
    for (const r of wanted) answers.push(record(name, r));
    secure &&= wanted.length > 0 && wanted.every((r) => r.secure === true);
    break;
  }
  // QR, opcode copied, AA, RD copied, RA; RCODE 3 (NXDOMAIN) for unknown names, 2 (SERVFAIL)
  // for names a validating resolver found bogus.
  const servfail = opts.servfail?.includes(q.name) === true;
  const rcode = servfail ? 2 : exists ? 0 : 3;
  // AD (0x0020, RFC 4035 3.2.3): the whole server is "validated", or every record answered is.
  const ad = !servfail && (opts.ad === true || (answers.length > 0 && secure)) ? 0x0020 : 0;
  const flags = 0x8000 | (q.flags & 0x7800) | 0x0400 | (q.flags & 0x0100) | 0x0080 | ad | rcode;
  if (servfail) {
    const head = Buffer.concat([u16(q.id), u16(flags), u16(1), u16(0), u16(0), u16(0)]);
    return Buffer.concat([head, q.question]);
  }
  const header = Buffer.concat([u16(q.id), u16(flags), u16(1), u16(answers.length), u16(0), u16(0)]);
  return Buffer.concat([header, q.question, ...answers]);
}

function record(owner: string, r: ZoneRecord): Buffer {
  const data = rdata(r);
  const ttl = Buffer.alloc(4);
  ttl.writeUInt32BE(r.ttl ?? 60);
  return Buffer.concat([encodeName(owner), u16(TYPES[r.type] ?? 0), u16(1), ttl, u16(data.length), data]);
}

/** RFC 1035 4.2.1: UDP answers over 512 octets are cut and flagged TC so the client retries on TCP. */
function truncateForUdp(msg: Buffer): Buffer {
  if (msg.length <= 512) return msg;
  const head = Buffer.from(msg.subarray(0, 12));
  head.writeUInt16BE(head.readUInt16BE(2) | 0x0200, 2);
  head.writeUInt16BE(0, 6);
  // Keep the question only.
  let off = 12;
  while (off < msg.length && msg[off] !== 0) off += (msg[off] ?? 0) + 1;
  return Buffer.concat([head, msg.subarray(12, off + 5)]);
}
