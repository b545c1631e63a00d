// What a route handler returns: plain data, so handlers are tested without a socket and the
// server applies security headers and cookies in one place.
import type { SafeHtml } from "./html.js";

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: string | Buffer;
}

/** A failure that renders itself: the status and a message safe to show the user. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export function htmlResponse(page: SafeHtml, status = 200): HttpResponse {
  return {
    status,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
    body: page.value,
  };
}

export function xmlResponse(body: string, contentType = "application/xml; charset=utf-8"): HttpResponse {
  return { status: 200, headers: { "Content-Type": contentType, "Cache-Control": "no-store" }, body };
}

export function textResponse(body: string, status = 200): HttpResponse {
  return {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
    body,
  };
}

/** 303 See Other: after a POST the browser GETs the target (no re-POST on reload). */
export function redirect(location: string, status = 303): HttpResponse {
  return { status, headers: { Location: location, "Cache-Control": "no-store" }, body: "" };
}

export function withCookies(res: HttpResponse, cookies: string[]): HttpResponse {
  const prev = res.headers["Set-Cookie"];
  const all = [...(Array.isArray(prev) ? prev : prev ? [prev] : []), ...cookies];
  return { ...res, headers: { ...res.headers, "Set-Cookie": all } };
}
