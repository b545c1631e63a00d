// The request as handlers see it: parsed once, body already read (bounded by http.maxBodyBytes).
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { clientAddress } from "../proxy/peer.js";
import { parseCookies } from "./cookies.js";
import { HttpError } from "./response.js";

export interface HttpRequest {
  method: string;
  /** Path as sent (percent-encoded), without the query; the router decodes each parameter. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Host header without port, lower-case ("" if none). */
  host: string;
  ip: string;
  /** Arrived over TLS. */
  secure: boolean;
  cookies: Map<string, string>;
  body: Buffer;
  /** The body as application/x-www-form-urlencoded (parsed on first call). */
  form(): URLSearchParams;
}

export function hostWithoutPort(host: string | undefined): string {
  if (!host) return "";
  const h = host.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  const colon = h.lastIndexOf(":");
  return colon >= 0 ? h.slice(0, colon) : h;
}

export function buildRequest(msg: IncomingMessage, body: Buffer, secure: boolean): HttpRequest {
  let url: URL;
  try {
    url = new URL(msg.url ?? "/", "http://request.invalid");
  } catch {
    throw new HttpError(400, "Bad request target.");
  }
  const path = url.pathname;
  let form: URLSearchParams | null = null;
  return {
    method: (msg.method ?? "GET").toUpperCase(),
    path,
    query: url.searchParams,
    headers: msg.headers,
    host: hostWithoutPort(msg.headers.host),
    ip: clientAddress(msg.socket),
    secure,
    cookies: parseCookies(msg.headers.cookie),
    body,
    form() {
      form ??= new URLSearchParams(body.toString("utf8"));
      return form;
    },
  };
}

/** Read the whole body, refusing more than maxBytes with 413 (without buffering the excess). */
export async function readBody(msg: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const body = await readBodyLimited(msg, maxBytes);
  if (body === null) throw new HttpError(413, "Request body too large.");
  return body;
}

/** The body, or null when it is larger than maxBytes (the rest is drained, not buffered). */
export function readBodyLimited(msg: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  if (Number(msg.headers["content-length"] ?? 0) > maxBytes) {
    msg.resume();
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    msg.on("data", (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        msg.removeAllListeners("data");
        msg.resume();
        resolve(null);
        return;
      }
      chunks.push(c);
    });
    msg.on("end", () => resolve(Buffer.concat(chunks)));
    msg.on("error", reject);
  });
}
