// Admin pages: server-rendered HTML forms, no client script (so the CSP forbids all scripts).
// Every route here is declared access "admin" (global admins) or "domain-admin" (also domain
// administrators, whose handlers keep to their domains: scope.ts): the dispatcher
// (src/http/dispatch.ts) answers anyone else with 403 and checks the CSRF token of every POST
// before a handler runs; each
// change is logged with the admin's address (audit.ts). One file per page.
import type { Router } from "../http/router.js";
import { registerAliasRoutes } from "./aliases.js";
import { registerAppPasswordRoutes } from "./app-passwords.js";
import { registerDnsRoutes } from "./dns.js";
import { registerDomainRoutes } from "./domains.js";
import { registerImportRoutes } from "./imports.js";
import { registerOverviewRoutes } from "./overview.js";
import { registerQueueRoutes } from "./queue.js";
import { registerReportRoutes } from "./reports.js";
import { registerSpamRoutes } from "./spam.js";
import { registerSpamPrefsRoutes } from "./spam-prefs.js";
import { registerThrottleRoutes } from "./throttle.js";
import { registerTlsRoutes } from "./tls.js";
import { registerUserRoutes } from "./users.js";

export function registerAdminRoutes(router: Router): void {
  registerOverviewRoutes(router);
  registerDomainRoutes(router);
  registerDnsRoutes(router);
  registerUserRoutes(router);
  registerAppPasswordRoutes(router);
  registerAliasRoutes(router);
  registerQueueRoutes(router);
  registerReportRoutes(router);
  registerSpamRoutes(router);
  registerSpamPrefsRoutes(router);
  registerTlsRoutes(router);
  registerThrottleRoutes(router);
  registerImportRoutes(router);
}
