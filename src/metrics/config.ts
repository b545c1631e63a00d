// [metrics] section: the Prometheus endpoint and the load balancer's health checks (issue 21).
import { bool, str } from "../config/dsl.js";

export const metricsSection = {
  enabled: bool(
    true,
    "Count what the server does for Prometheus (/metrics). false: no observer is built at all, and /metrics answers 404.",
  ),
  token: str(
    "",
    "Bearer token /metrics and /status require on the HTTPS listeners (Authorization: Bearer TOKEN; a long random string, e.g. openssl rand -hex 32). Empty: they are served only on the metrics.listen listener, and the web listeners answer 404.",
  ),
  listen: str(
    "",
    "address:port of a plain-HTTP listener serving only /metrics, /healthz and /readyz, without a token (e.g. 127.0.0.1:9101, for a scraper on this host or a private network). Empty: none.",
  ),
};
