// A scripted SMTP server for outbound tests: answers RCPT and the end of DATA as the test says
// (451 twice then 250, 550 ...), records every transaction and counts connections. Plain text
// only, on 127.0.0.1, ephemeral port.
import net from "node:net";

export interface SinkTransaction {
  mailFrom: string; // the MAIL FROM line
  rcpts: string[]; // the RCPT TO lines as sent
  data: Buffer;
  reply: string;
}

export interface SinkScript {
  /** Reply to RCPT TO for this address; `n` counts RCPTs for it so far (from 1). */
  rcpt?: (address: string, n: number) => string;
  /** Reply after the message; `n` counts completed DATA phases (from 1). */
  data?: (n: number) => string | Promise<string>;
}

export interface Sink {
  port: number;
  connections: number;
  transactions: SinkTransaction[];
  script: SinkScript;
  stop(): Promise<void>;
}

export async function startSink(script: SinkScript = {}): Promise<Sink> {
  const rcptCounts = new Map<string, number>();
  let dataCount = 0;
  const sockets = new Set<net.Socket>();
  const sink: Sink = {
    port: 0,
    connections: 0,
    transactions: [],
    script,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server = net.createServer((sock) => {
    sink.connections++;
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    sock.on("error", () => sock.destroy());
    let buf = Buffer.alloc(0);
    let inData = false;
    let tx: { mailFrom: string; rcpts: string[]; ok: number } | null = null;
    const write = (s: string) => {
      if (!sock.destroyed) sock.write(`${s}\r\n`);
    };
    write("220 sink.test ESMTP");
    let chain = Promise.resolve();
    sock.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      chain = chain.then(async () => {
        for (let guard = 0; guard < 10_000; guard++) {
          if (inData) {
            const end = buf.indexOf("\r\n.\r\n");
            if (end < 0) return;
            const data = buf.subarray(0, end + 2);
            buf = buf.subarray(end + 5);
            inData = false;
            dataCount++;
            const reply = (await sink.script.data?.(dataCount)) ?? "250 2.0.0 ok";
            if (tx) sink.transactions.push({ mailFrom: tx.mailFrom, rcpts: tx.rcpts, data, reply });
            tx = null;
            write(reply);
            continue;
          }
          const nl = buf.indexOf("\r\n");
          if (nl < 0) return;
          const line = buf.subarray(0, nl).toString("latin1");
          buf = buf.subarray(nl + 2);
          const verb = line.slice(0, 4).toUpperCase();
          if (verb === "EHLO")
            write("250-sink.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-DSN\r\n250 SIZE 10000000");
          else if (verb === "HELO") write("250 sink.test");
          else if (verb === "MAIL") {
            tx = { mailFrom: line, rcpts: [], ok: 0 };
            write("250 2.1.0 ok");
          } else if (verb === "RCPT") {
            const addr = /<([^>]*)>/.exec(line)?.[1] ?? "";
            const n = (rcptCounts.get(addr) ?? 0) + 1;
            rcptCounts.set(addr, n);
            const reply = sink.script.rcpt?.(addr, n) ?? "250 2.1.5 ok";
            if (tx && reply.startsWith("2")) {
              tx.rcpts.push(line);
              tx.ok++;
            }
            write(reply);
          } else if (verb === "DATA") {
            if (!tx || tx.ok === 0) write("554 5.5.1 no valid recipients");
            else {
              inData = true;
              write("354 go ahead");
            }
          } else if (verb === "RSET") {
            tx = null;
            write("250 2.0.0 ok");
          } else if (verb === "QUIT") {
            write("221 2.0.0 bye");
            sock.end();
            return;
          } else if (verb === "NOOP") write("250 2.0.0 ok");
          else write("502 5.5.2 not implemented");
        }
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  sink.port = (server.address() as net.AddressInfo).port;
  return sink;
}
