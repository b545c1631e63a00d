// A small HTTP(S) client for tests: one request with a chosen Host header, and a WebClient that
// keeps cookies and logs in through the real login form (CSRF token included).
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";

export interface TestResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  setCookies: string[];
}

export interface RequestOptions {
  port: number;
  path: string;
  method?: string;
  /** TLS with this CA (the server's self-signed certificate); absent = plain HTTP. */
  ca?: string;
  /** Host header and TLS server name (the connection always goes to 127.0.0.1). */
  host?: string;
  /** TLS server name to verify, when it differs from the Host header's name. */
  servername?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

export function send(o: RequestOptions): Promise<TestResponse> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.host) headers.Host = o.host;
  if (o.body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(o.body));
  const common = {
    host: "127.0.0.1",
    port: o.port,
    path: o.path,
    method: o.method ?? "GET",
    headers,
    agent: false,
  };
  return new Promise((resolve, reject) => {
    const req =
      o.ca !== undefined
        ? httpsRequest({
            ...common,
            ca: o.ca,
            servername: o.servername ?? o.host?.replace(/:\d+$/, "") ?? "localhost",
          })
        : httpRequest(common);
    req.setTimeout(o.timeoutMs ?? 10_000, () => req.destroy(new Error("request timeout")));
    req.on("error", reject);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
          setCookies: res.headers["set-cookie"] ?? [],
        }),
      );
      res.on("error", reject);
    });
    req.end(o.body);
  });
}

/** The value of the first hidden _csrf field in a page. */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error("no _csrf field in page");
  return m[1];
}

/** A browser-like client for one HTTPS server: keeps cookies, sends same-origin Origin on POST. */
export class WebClient {
  readonly cookies = new Map<string, string>();

  constructor(
    readonly port: number,
    readonly ca: string,
    readonly host = "localhost",
  ) {}

  private cookieHeader(): Record<string, string> {
    if (this.cookies.size === 0) return {};
    return { Cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ") };
  }

  private keep(res: TestResponse): TestResponse {
    for (const c of res.setCookies) {
      const [pair] = c.split(";");
      const eq = pair?.indexOf("=") ?? -1;
      if (!pair || eq < 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === "" || /Max-Age=0/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  async get(path: string): Promise<TestResponse> {
    return this.keep(
      await send({ port: this.port, ca: this.ca, host: this.host, path, headers: this.cookieHeader() }),
    );
  }

  async post(
    path: string,
    form: Record<string, string>,
    opts: { origin?: string | null } = {},
  ): Promise<TestResponse> {
    const origin = opts.origin === undefined ? `https://${this.host}:${this.port}` : opts.origin;
    return this.keep(
      await send({
        port: this.port,
        ca: this.ca,
        host: `${this.host}:${this.port}`,
        path,
        method: "POST",
        headers: {
          ...this.cookieHeader(),
          "Content-Type": "application/x-www-form-urlencoded",
          ...(origin ? { Origin: origin } : {}),
        },
        body: new URLSearchParams(form).toString(),
      }),
    );
  }

  /** Log in through the form; returns the POST's response (303 on success). */
  async login(username: string, password: string): Promise<TestResponse> {
    const form = await this.get("/login");
    return this.post("/login", { _csrf: csrfFrom(form.body), username, password });
  }

  /** POST a form of a logged-in page, with the CSRF token taken from `pagePath`. */
  async submit(pagePath: string, action: string, form: Record<string, string>): Promise<TestResponse> {
    const page = await this.get(pagePath);
    return this.post(action, { _csrf: csrfFrom(page.body), ...form });
  }
}
