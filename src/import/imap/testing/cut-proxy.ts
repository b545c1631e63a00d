// A TCP proxy for tests that cuts the connection after a number of octets from the server, as a
// network failure or a killed server would, mid-response; or stalls there (forwards nothing
// more), holding an importer still at a known point so a test can kill it.
import { connect, createServer, type Socket } from "node:net";

export interface CutProxy {
  port: number;
  /** Octets forwarded from the server so far, over all connections. */
  forwarded(): number;
  close(): Promise<void>;
}

export async function startCutProxy(opts: {
  port: number;
  cutAfterBytes: number;
  /** Stop forwarding at the limit instead of closing. */
  stall?: boolean;
}): Promise<CutProxy> {
  const sockets = new Set<Socket>();
  let forwarded = 0;
  const server = createServer((client) => {
    const upstream = connect({ host: "127.0.0.1", port: opts.port });
    sockets.add(client).add(upstream);
    let seen = 0;
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on("data", (d: Buffer) => {
      if (seen >= opts.cutAfterBytes) return; // stalled
      seen += d.length;
      if (seen > opts.cutAfterBytes) {
        const part = d.subarray(0, d.length - (seen - opts.cutAfterBytes));
        forwarded += part.length;
        client.write(part, opts.stall ? undefined : cut);
        return;
      }
      forwarded += d.length;
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
    forwarded: () => forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
