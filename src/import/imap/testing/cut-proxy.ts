// A TCP proxy for tests that cuts the connection after a number of octets from the server, as a
// network failure or a killed server would, mid-response.
import { connect, createServer, type Socket } from "node:net";

export interface CutProxy {
  port: number;
  close(): Promise<void>;
}

export async function startCutProxy(opts: { port: number; cutAfterBytes: number }): Promise<CutProxy> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect({ host: "127.0.0.1", port: opts.port });
    sockets.add(client).add(upstream);
    let seen = 0;
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on("data", (d: Buffer) => {
      seen += d.length;
      if (seen > opts.cutAfterBytes) {
        client.write(d.subarray(0, d.length - (seen - opts.cutAfterBytes)), cut);
        return;
      }
      client.write(d);
    });
    client.on("data", (d: Buffer) => upstream.write(d));
    for (const s of [client, upstream]) {
      s.on("error", cut);
      s.on("close", () => {
        sockets.delete(s);
        cut();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  if (addr === null || typeof addr === "string") throw new Error("proxy has no port");
  return {
    port: addr.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
