// A small router: exact paths with `:name` segments, one handler per (method, path), each route
// declaring who may call it. The route table is data, so tests enumerate it (every admin route
// answers 403 to a non-admin) instead of keeping a hand-written list.
import type { Account } from "../store/types.js";
import type { AdminScope } from "./admin-scope.js";
import type { HttpApp } from "./app.js";
import type { HttpRequest } from "./request.js";
import type { HttpResponse } from "./response.js";
import type { Session } from "./session.js";

export type Method = "GET" | "POST";
/** public: anyone; user: a logged-in account; admin: a logged-in global admin account;
 *  domain-admin: a global admin or a domain administrator, whose handler scopes what it does by
 *  rc.adminScope (admin-scope.ts). */
export type Access = "public" | "user" | "admin" | "domain-admin";

export interface RequestContext {
  req: HttpRequest;
  params: Record<string, string>;
  app: HttpApp;
  /** The session if the request carried a valid one (also on public routes). */
  session: Session | null;
  account: Account | null;
}

export interface AuthedContext extends RequestContext {
  session: Session;
  account: Account;
}

/** An admin or domain-admin route's context: what this admin may administer. */
export interface AdminContext extends AuthedContext {
  adminScope: AdminScope;
}

interface RouteBase {
  method: Method;
  path: string;
  /** Also served on a plain-HTTP listener (public documents such as autoconfig); other routes
   *  are redirected to HTTPS there. */
  plainHttp?: boolean;
  /** Match the path case-insensitively (Outlook asks for /Autodiscover/Autodiscover.xml). */
  caseInsensitive?: boolean;
}

export type Route =
  | (RouteBase & {
      access: "public";
      /** POST: how the request proves it comes from our own form. "login" = double-submit
       *  cookie (no session yet); "none" = not a browser form (Autodiscover XML). */
      csrf?: "login" | "none";
      handler: (rc: RequestContext) => Promise<HttpResponse>;
    })
  | (RouteBase & { access: "user"; handler: (rc: AuthedContext) => Promise<HttpResponse> })
  | (RouteBase & { access: "admin" | "domain-admin"; handler: (rc: AdminContext) => Promise<HttpResponse> });

export type RouteMatch =
  | { kind: "found"; route: Route; params: Record<string, string> }
  | { kind: "wrong-method"; allowed: Method[] }
  | { kind: "none" };

export class Router {
  private readonly table: Route[] = [];

  add(route: Route): void {
    if (this.table.some((r) => r.method === route.method && r.path === route.path))
      throw new Error(`route ${route.method} ${route.path} added twice`);
    this.table.push(route);
  }

  routes(): readonly Route[] {
    return this.table;
  }

  match(method: string, path: string): RouteMatch {
    const allowed: Method[] = [];
    for (const route of this.table) {
      const params = matchPath(route.path, path, route.caseInsensitive ?? false);
      if (!params) continue;
      if (route.method === method || (method === "HEAD" && route.method === "GET"))
        return { kind: "found", route, params };
      allowed.push(route.method);
    }
    return allowed.length > 0 ? { kind: "wrong-method", allowed } : { kind: "none" };
  }
}

/** Params of `pattern` ("/admin/users/:id") in the raw `path`, decoded, or null. Splitting before
 *  decoding keeps an encoded "/" (%2F) inside its parameter. */
export function matchPath(
  pattern: string,
  path: string,
  caseInsensitive: boolean,
): Record<string, string> | null {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? "";
    const g = got[i] ?? "";
    if (w.startsWith(":")) {
      if (g === "") return null;
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return null;
      }
    } else if (caseInsensitive ? w.toLowerCase() !== g.toLowerCase() : w !== g) return null;
  }
  return params;
}
