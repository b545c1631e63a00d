import assert from "node:assert/strict";
import { test } from "node:test";
import { assertLinear } from "../testing/complexity.js";
import { parseProxyHeader, V1_MAX, V2_SIGNATURE } from "./header.js";

const MAX = 2048;
const parse = (b: Buffer | string) =>
  parseProxyHeader(typeof b === "string" ? Buffer.from(b, "latin1") : b, MAX);

function v2(opts: { verCmd?: number; fam?: number; body?: Buffer; length?: number }): Buffer {
  const body = opts.body ?? Buffer.alloc(0);
  const head = Buffer.alloc(4);
  head[0] = opts.verCmd ?? 0x21;
  head[1] = opts.fam ?? 0x11;
  head.writeUInt16BE(opts.length ?? body.length, 2);
  return Buffer.concat([V2_SIGNATURE, head, body]);
}

test("v1 TCP4 and TCP6: addresses, ports and the header's length", () => {
  const line = "PROXY TCP4 192.0.2.7 198.51.100.1 56324 25\r\n";
  assert.deepEqual(parse(`${line}EHLO x\r\n`), {
    kind: "ok",
    header: {
      command: "proxy",
      version: 1,
      source: { address: "192.0.2.7", port: 56324 },
      destination: { address: "198.51.100.1", port: 25 },
    },
    length: line.length,
  });
  const r = parse("PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\n");
  assert.equal(r.kind, "ok");
  assert.deepEqual(r.kind === "ok" && r.header.command === "proxy" && r.header.source, {
    address: "2001:db8::1",
    port: 1,
  });
});

test("v1 UNKNOWN keeps the socket's addresses", () => {
  assert.deepEqual(parse("PROXY UNKNOWN\r\n"), {
    kind: "ok",
    header: { command: "local", version: 1 },
    length: 15,
  });
  const any = "PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n";
  assert.equal(parse(any).kind, "ok");
});

test("v1: a partial line asks for more, a bad one is an error at once", () => {
  assert.deepEqual(parse("PRO"), { kind: "more" });
  assert.deepEqual(parse("PROXY TCP4 192.0.2.7 198.51"), { kind: "more" });
  for (const bad of [
    "EHLO client\r\n",
    "PROXYTCP4\r\n",
    "PROXY TCP4 192.0.2.7 198.51.100.1 56324\r\n",
    "PROXY TCP4 2001:db8::1 198.51.100.1 1 2\r\n",
    "PROXY TCP6 192.0.2.7 198.51.100.1 1 2\r\n",
    "PROXY TCP4 192.0.2.7 198.51.100.1 65536 25\r\n",
    "PROXY TCP4 192.0.2.7 198.51.100.1 025 25\r\n",
    "PROXY TCP4  192.0.2.7 198.51.100.1 1 25\r\n",
    "PROXY UDP4 192.0.2.7 198.51.100.1 1 25\r\n",
  ])
    assert.equal(parse(bad).kind, "error", bad);
});

test("v1: no CRLF within 107 octets is an error, whatever follows", () => {
  const long = `PROXY TCP4 ${"1".repeat(200)}\r\n`;
  assert.deepEqual(parse(long.slice(0, V1_MAX - 1)), { kind: "more" });
  assert.deepEqual(parse(long), { kind: "error", reason: "v1 line too long" });
});

test("v2 PROXY over IPv4 and IPv6, TLVs skipped", () => {
  const body = Buffer.from([192, 0, 2, 7, 198, 51, 100, 1, 0xdc, 0x04, 0, 25, 0x04, 0, 1, 0x41]);
  const r = parse(Buffer.concat([v2({ body }), Buffer.from("EHLO")]));
  assert.deepEqual(r, {
    kind: "ok",
    header: {
      command: "proxy",
      version: 2,
      source: { address: "192.0.2.7", port: 56324 },
      destination: { address: "198.51.100.1", port: 25 },
    },
    length: 16 + body.length,
  });
  const six = Buffer.alloc(36);
  Buffer.from("20010db8000000000000000000000001", "hex").copy(six, 0);
  Buffer.from("00000000000000000000ffffc0000207", "hex").copy(six, 16);
  six.writeUInt16BE(443, 32);
  six.writeUInt16BE(8443, 34);
  const r6 = parse(v2({ fam: 0x21, body: six }));
  assert.deepEqual(r6.kind === "ok" && r6.header, {
    command: "proxy",
    version: 2,
    source: { address: "2001:db8::1", port: 443 },
    destination: { address: "192.0.2.7", port: 8443 },
  });
});

test("v2 LOCAL, UNSPEC and UNIX keep the socket's addresses", () => {
  assert.deepEqual(parse(v2({ verCmd: 0x20, fam: 0, body: Buffer.alloc(3) })), {
    kind: "ok",
    header: { command: "local", version: 2 },
    length: 19,
  });
  assert.equal(parse(v2({ fam: 0x00 })).kind, "ok");
  assert.equal(parse(v2({ fam: 0x31, body: Buffer.alloc(216) })).kind, "ok");
});

test("v2: partial asks for more; bad version, command, family, short block, huge length are errors", () => {
  assert.deepEqual(parse(V2_SIGNATURE.subarray(0, 7)), { kind: "more" });
  assert.deepEqual(parse(v2({ body: Buffer.alloc(12) }).subarray(0, 20)), { kind: "more" });
  assert.equal(parse(Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x00])).kind, "error");
  assert.equal(parse(v2({ verCmd: 0x11, body: Buffer.alloc(12) })).kind, "error");
  assert.equal(parse(v2({ verCmd: 0x22, body: Buffer.alloc(12) })).kind, "error");
  assert.equal(parse(v2({ fam: 0x12, body: Buffer.alloc(12) })).kind, "error");
  assert.equal(parse(v2({ fam: 0x11, body: Buffer.alloc(8) })).kind, "error");
  // Refused from its 16 octets alone: the 65,535 octets it announces are never waited for.
  assert.deepEqual(parse(v2({ length: 65535 })), {
    kind: "error",
    reason: "v2 header of 65551 octets over the limit",
  });
});

test("the parser reads a bounded prefix: time does not grow with what follows the header", () => {
  assertLinear(
    "PROXY v1 then data",
    (n) => Buffer.from(`PROXY TCP4 192.0.2.7 198.51.100.1 1 25\r\n${"A".repeat(n)}`),
    (b) => {
      for (let i = 0; i < 200; i++) parseProxyHeader(b, MAX);
    },
    { n: 100_000 },
  );
});
