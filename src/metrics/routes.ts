// /metrics, /healthz and /readyz on the web listeners. /healthz and /readyz are public and also
// served over plain HTTP (load balancers probe without TLS); /metrics only over HTTPS, since its
// bearer token must not cross the network in clear (plain HTTP redirects to HTTPS).
import type { HttpResponse } from "../http/response.js";
import type { Router } from "../http/router.js";
import type { AppContext } from "../server/context.js";
import { healthz, metrics, type PlainResponse, readyz, status } from "./monitoring.js";

const toHttp = (r: PlainResponse): HttpResponse => ({
  status: r.status,
  headers: { "Content-Type": r.contentType, "Cache-Control": "no-store", ...r.headers },
  body: r.body,
});

export function registerMetricsRoutes(router: Router, ctx: AppContext): void {
  router.add({
    method: "GET",
    path: "/healthz",
    access: "public",
    plainHttp: true,
    handler: async () => toHttp(healthz()),
  });
  router.add({
    method: "GET",
    path: "/readyz",
    access: "public",
    plainHttp: true,
    handler: async () => toHttp(await readyz(ctx.monitoring)),
  });
  router.add({
    method: "GET",
    path: "/metrics",
    access: "public",
    handler: async (rc) => toHttp(await metrics(ctx.monitoring, rc.req.headers.authorization ?? "")),
  });
  router.add({
    method: "GET",
    path: "/status",
    access: "public",
    handler: async (rc) => toHttp(await status(ctx.monitoring, rc.req.headers.authorization ?? "")),
  });
}
