// What every protocol listener is given. Built once in src/app/start.ts and passed explicitly:
// no module reads global config or opens its own database.
import type { SecureContext } from "node:tls";
import type { AcmeService } from "../acme/types.js";
import type { SecondFactors } from "../auth/2fa/second-factors.js";
import type { AppPasswords } from "../auth/app-passwords.js";
import type { AuthService } from "../auth/types.js";
import type { Config, ListenerConfig } from "../config/schema.js";
import type { ImportJobs } from "../import/jobs.js";
import type { Logger } from "../log/logger.js";
import type { MetricEvents } from "../metrics/events.js";
import type { Monitoring } from "../metrics/monitoring.js";
import type { PostOffice } from "../postoffice/post-office.js";
import type { ReportSending } from "../reports/outbound/service.js";
import type { CounterStore } from "../store/counters.js";
import type { LockService } from "../store/locks.js";
import type { ChangeNotifier } from "../store/notifier.js";
import type { StatsEntry, Store } from "../store/types.js";
import type { UploadStore } from "../store/uploads.js";
import type { ActivityTracker } from "./activity.js";
import type { Health } from "./health.js";

export interface TlsProvider {
  /** Current certificate and key; replaced on reload (SIGHUP) without dropping connections. */
  context(): SecureContext;
  /** Raw PEMs, for libraries that want key/cert options. */
  pem(): { cert: string; key: string };
  minVersion: "TLSv1.2" | "TLSv1.3";
  /** The context for a handshake naming `servername` (SNI): context(), or a pending TLS-ALPN-01
   *  validation certificate for that name (src/acme). */
  sniContext(servername: string): SecureContext;
  /** The HTTPS listener's ALPN choice among the client's `offered` protocols (undefined: none
   *  acceptable, the handshake fails as with Node's default of HTTP/1.1 only). */
  alpnSelect(servername: string, offered: readonly string[]): string | undefined;
}

export interface AppContext {
  config: Config;
  store: Store;
  notifier: ChangeNotifier;
  counters: CounterStore;
  /** Session-long exclusive locks (the POP3 maildrop lock), shared between nodes or workers when
   *  they are (src/store/locks.ts). */
  locks: LockService;
  /** JMAP uploads waiting to be used (RFC 8620 6.1), shared between nodes or workers when they
   *  are (src/store/uploads.ts). */
  uploads: UploadStore;
  auth: AuthService;
  /** Making and checking app passwords (issue 15); listing and revoking: store.appPasswords. */
  appPasswords: AppPasswords;
  /** Two-factor web login (issue 15): TOTP, recovery codes, passkeys (src/auth/2fa/). */
  secondFactors: SecondFactors;
  tls: TlsProvider;
  log: Logger;
  /** The commands running now, set by each protocol's dispatcher for the event-loop monitor. */
  activity: ActivityTracker;
  /** Uncaught errors and event-loop blocks since start (admin start page). */
  health: Health;
  /** Wake the outbound delivery engine after something was queued (unset when it does not run
   *  in this process: it then finds the message at its next poll). */
  kickQueue?: () => void;
  /** The TLS-RPT and DMARC aggregate reports we send (src/reports/outbound): their counters and
   *  the daily job; unset before the app has started. */
  reportSending?: ReportSending;
  /** The one path every message takes (src/postoffice): SMTP, JMAP, DSNs and vacation replies. */
  postOffice: PostOffice;
  /** Imports started from the admin pages, running in the background (src/import/jobs.ts). */
  imports: ImportJobs;
  /** Events for /metrics and the admin charts (src/metrics/events.ts); call where they happen. */
  metrics: MetricEvents;
  /** The admin charts' counts this process has not written to the store yet (src/stats/
   *  recorder.ts), which the overview adds to what it reads; null when [stats] is off. */
  stats: { unwritten(): StatsEntry[] } | null;
  /** Certificates from an ACME CA (src/acme), when [acme] is on: state, HTTP-01 answers, renewal. */
  acme?: AcmeService;
  /** What /metrics, /healthz and /readyz answer (src/metrics/monitoring.ts). */
  monitoring: Monitoring;
}

/** A started listener. */
export interface RunningListener {
  listener: ListenerConfig;
  port: number; // the bound port (ephemeral in tests)
  /** Stop accepting; let sessions finish within graceMs, then close them. */
  close(graceMs: number): Promise<void>;
}

export type ListenerFactory = (listener: ListenerConfig, ctx: AppContext) => Promise<RunningListener>;
