// RFC 8460 5.4: a TLS-RPT report to an https: rua is POSTed with Content-Type
// application/tlsrpt+gzip; any 2xx is success. The host name is resolved through our resolver (as
// the MTA-STS fetch does) and the certificate checked against it; the whole request is bounded
// in time, and the answer is not read beyond its status.
import https from "node:https";
import { isIP } from "node:net";
import type { DnsResolver } from "../../dns/types.js";

export interface PostOptions {
  resolver: DnsResolver;
  timeoutMs: number;
  /** Trusted CAs; undefined = Node's roots. */
  ca?: string[];
}

export async function postReport(
  url: string,
  body: Buffer,
  type: string,
  opts: PostOptions,
): Promise<number> {
  const u = new URL(url);
  if (u.protocol !== "https:") throw new Error(`not an https URL: ${url}`);
  const host = u.hostname.replace(/^\[|\]$/g, "");
  let address = host;
  if (!isIP(host)) {
    const v4 = await opts.resolver.resolve4(host).catch(() => [] as string[]);
    const list = v4.length > 0 ? v4 : await opts.resolver.resolve6(host).catch(() => [] as string[]);
    if (!list[0]) throw new Error(`${host} has no address`);
    address = list[0];
  }
  return new Promise<number>((resolve, reject) => {
    const req = https.request(
      {
        host: address,
        port: u.port ? Number(u.port) : 443,
        path: `${u.pathname}${u.search}`,
        method: "POST",
        servername: isIP(host) ? undefined : host,
        headers: { host: u.host, "content-type": type, "content-length": body.length },
        ca: opts.ca,
        rejectUnauthorized: true,
        timeout: opts.timeoutMs,
        agent: false,
      },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve(status);
        else reject(new Error(`${url}: HTTP ${status}`));
      },
    );
    const deadline = setTimeout(() => req.destroy(new Error(`${url}: timed out`)), opts.timeoutMs);
    deadline.unref();
    req.on("close", () => clearTimeout(deadline));
    req.on("timeout", () => req.destroy(new Error(`${url}: timed out`)));
    req.on("error", reject);
    req.end(body);
  });
}
