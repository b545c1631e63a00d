// A scripted SMTP server for outbound tests: answers RCPT and the end of DATA as the test says
// (451 twice then 250, 550 ...), records every transaction and counts connections. On
// 127.0.0.1, ephemeral port; plain text unless `tls` is given, then it offers STARTTLS
// (RFC 3207) with that certificate and records the name each client asked for (SNI).
import net from "node:net";
import tls from "node:tls";

export interface SinkTransaction {
  mailFrom: string; // the MAIL FROM line
  rcpts: string[]; // the RCPT TO lines as sent
  data: Buffer;
  reply: string;
  /** Whether the transaction was sent inside TLS. */
  tls: boolean;
}

export interface SinkScript {
  /** Reply to RCPT TO for this address; `n` counts RCPTs for it so far (from 1). */
  rcpt?: (address: string, n: number) => string;
  /** Awaited at each DATA command before its 354 (a server slow to take the message); `n`
   *  counts DATA commands (from 1). */
  dataCommand?: (n: number) => Promise<void> | void;
  /** Reply after the message; `n` counts completed DATA phases (from 1). */
  data?: (n: number) => string | Promise<string>;
  /** Offer STARTTLS with this certificate (read at each new connection). */
  tls?: { cert: string; key: string };
}

export interface Sink {
  port: number;
  connections: number;
  /** Connections ended (closed by either side): all their bytes were read before. */
  closed: number;
  transactions: SinkTransaction[];
  /** The TLS server name (SNI) of each completed STARTTLS, in order ("" when none was sent). */
  tlsNames: string[];
  script: SinkScript;
  stop(): Promise<void>;
}

export async function startSink(script: SinkScript = {}): Promise<Sink> {
  const rcptCounts = new Map<string, number>();
  let dataCount = 0;
  let dataCommands = 0;
  const sockets = new Set<net.Socket>();
  const sink: Sink = {
    port: 0,
    connections: 0,
    closed: 0,
    transactions: [],
    tlsNames: [],
    script,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  // From the script as it is when each connection comes, so a test can change the certificate.
  const contexts = new Map<{ cert: string; key: string }, tls.SecureContext>();
  const contextOf = (pem: { cert: string; key: string } | undefined) => {
    if (!pem) return null;
    const c = contexts.get(pem) ?? tls.createSecureContext(pem);
    contexts.set(pem, c);
    return c;
  };
  const server = net.createServer((sock) => {
    sink.connections++;
    const secureContext = contextOf(sink.script.tls);
    sockets.add(sock);
    sock.on("close", () => {
      sockets.delete(sock);
      sink.closed++;
    });
    sock.on("error", () => sock.destroy());
    // The stream commands are read from and replies written to: the TCP socket, then the TLS
    // socket after STARTTLS.
    let io: net.Socket = sock;
    let buf = Buffer.alloc(0);
    let inData = false;
    let tx: { mailFrom: string; rcpts: string[]; ok: number } | null = null;
    const write = (s: string) => {
      if (!io.destroyed) io.write(`${s}\r\n`);
    };
    const startTls = () => {
      sock.removeListener("data", onData);
      buf = Buffer.alloc(0); // RFC 3207 4.2: nothing sent before the handshake counts
      const secure = new tls.TLSSocket(sock, { isServer: true, secureContext: secureContext! });
      secure.on("error", () => sock.destroy());
      secure.once("secure", () => {
        const name = (secure as tls.TLSSocket & { servername?: string | false }).servername;
        sink.tlsNames.push(typeof name === "string" ? name : "");
      });
      io = secure;
      tx = null;
      secure.on("data", onData);
    };
    write("220 sink.test ESMTP");
    let chain = Promise.resolve();
    const onData = (chunk: Buffer) => {
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
            if (tx)
              sink.transactions.push({
                mailFrom: tx.mailFrom,
                rcpts: tx.rcpts,
                data,
                reply,
                tls: io !== sock,
              });
            tx = null;
            write(reply);
            continue;
          }
          const nl = buf.indexOf("\r\n");
          if (nl < 0) return;
          const line = buf.subarray(0, nl).toString("latin1");
          buf = buf.subarray(nl + 2);
          const verb = line.slice(0, 4).toUpperCase();
          const offerTls = secureContext !== null && io === sock;
          if (verb === "EHLO")
            write(
              `250-sink.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-DSN\r\n${offerTls ? "250-STARTTLS\r\n" : ""}250 SIZE 10000000`,
            );
          else if (verb === "HELO") write("250 sink.test");
          else if (line.toUpperCase() === "STARTTLS" && offerTls) {
            write("220 2.0.0 ready to start TLS");
            startTls();
            return;
          } else if (verb === "MAIL") {
            tx = { mailFrom: line, rcpts: [], ok: 0 };
            write("250 2.1.0 ok");
          } else if (verb === "RCPT") {
            // The test's own RCPT lines, never hostile input.
            // eslint-disable-next-line regexp/no-super-linear-move
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
              await sink.script.dataCommand?.(++dataCommands);
              inData = true;
              write("354 go ahead");
            }
          } else if (verb === "RSET") {
            tx = null;
            write("250 2.0.0 ok");
          } else if (verb === "QUIT") {
            write("221 2.0.0 bye");
            io.end();
            return;
          } else if (verb === "NOOP") write("250 2.0.0 ok");
          else write("502 5.5.2 not implemented");
        }
      });
    };
    sock.on("data", onData);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  sink.port = (server.address() as net.AddressInfo).port;
  return sink;
}
