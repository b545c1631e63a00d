// Per-IP connection caps on every TCP protocol (issue 18, finding 5): one address at its cap gets
// the protocol's refusal and is closed, while another address is still served; addresses listed
// in server.connectionLimitExemptIps are not capped. Loopback has the whole 127/8, so
// 127.0.0.2 and 127.0.0.3 are "other clients".
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { startTestServer, type TestServer } from "../testing/harness.js";

/** A connection and the first line the server sent (its greeting or refusal). */
interface Conn {
  socket: Socket;
  first: string;
  closed: Promise<void>;
}

async function open(port: number, localAddress: string): Promise<Conn> {
  const socket = connect({ host: "127.0.0.1", port, localAddress });
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  const first = await new Promise<string>((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(() => reject(new Error(`no line from port ${port} within 5 s`)), 5000);
    const onData = (d: Buffer) => {
      buf += d.toString("latin1");
      const nl = buf.indexOf("\r\n");
      if (nl < 0) return;
      clearTimeout(timer);
      socket.off("data", onData);
      resolve(buf.slice(0, nl));
    };
    socket.on("data", onData);
  });
  return { socket, first, closed };
}

const CAP = 3;
const cases = [
  { name: "SMTP", port: (s: TestServer) => s.ports.smtp, ok: /^220 /, refused: /^421 4\.7\.0 / },
  { name: "submission", port: (s: TestServer) => s.ports.submission, ok: /^220 /, refused: /^421 4\.7\.0 / },
  { name: "POP3", port: (s: TestServer) => s.ports.pop3, ok: /^\+OK /, refused: /^-ERR \[SYS\/TEMP\] / },
  {
    name: "IMAP",
    port: (s: TestServer) => s.ports.imap!,
    ok: /^\* OK /,
    refused: /^\* BYE \[UNAVAILABLE\] /,
  },
];

describe("per-IP connection caps", () => {
  let s: TestServer;
  const held: Conn[] = [];
  before(async () => {
    s = await startTestServer({
      config: {
        server: { connectionLimitExemptIps: ["127.0.0.3"] },
        smtp: { maxConnectionsPerIp: CAP },
        pop3: { maxConnectionsPerIp: CAP },
        imap: { maxConnectionsPerIp: CAP },
      },
    });
  });
  after(async () => {
    for (const c of held) c.socket.destroy();
    await s.stop();
  });

  for (const p of cases) {
    test(`${p.name}: one IP at the cap is refused, another IP is served`, async () => {
      const port = p.port(s);
      for (let i = 0; i < CAP; i++) {
        const c = await open(port, "127.0.0.2");
        held.push(c);
        assert.match(c.first, p.ok);
      }
      const extra = await open(port, "127.0.0.2");
      assert.match(extra.first, p.refused);
      await extra.closed; // the server closes the refused connection
      const other = await open(port, "127.0.0.1");
      held.push(other);
      assert.match(other.first, p.ok);
    });

    test(`${p.name}: an exempt IP is not capped`, async () => {
      const port = p.port(s);
      for (let i = 0; i < CAP + 2; i++) {
        const c = await open(port, "127.0.0.3");
        held.push(c);
        assert.match(c.first, p.ok);
      }
    });
  }
});
