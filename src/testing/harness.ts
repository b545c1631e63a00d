// Starts a real Yubin in-process on ephemeral 127.0.0.1 ports with a fresh data directory,
// for protocol tests to drive with real clients. Every listener the build has is started.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type App, startApp } from "../app/start.js";
import { hashPassword } from "../auth/password.js";
import { defaultConfig, withOverrides } from "../config/load.js";
import type { Config, ListenerConfig, Protocol, TlsMode } from "../config/schema.js";
import { createLogger, type Logger, silentLogger } from "../log/logger.js";
import type { Filter } from "../postoffice/types.js";
import type { AppContext } from "../server/context.js";
import type { LockService } from "../store/locks.js";
import type { Store } from "../store/types.js";

export interface TestUser {
  address: string;
  password: string;
  quotaBytes?: number;
  quotaMessages?: number;
  isAdmin?: boolean;
}

export interface TestServerOptions {
  config?: Record<string, Record<string, unknown>>;
  domains?: string[];
  users?: TestUser[];
  log?: Logger; // default: silent, or JSON to stderr when YUBIN_TEST_LOG=1
  /** The post office's filter stage (src/postoffice/filter.ts), for tests of the extension point. */
  filters?: readonly Filter[];
  /** Start on this data directory (e.g. a restored backup; removed by stop()) instead of a new one. */
  dataDir?: string;
  /** Every listener expects a PROXY protocol header (src/proxy/; [proxy] trustedSources in config). */
  proxyProtocol?: boolean;
  /** The lock service instead of the in-process one (e.g. one as slow as a remote one). */
  locks?: LockService;
}

export interface TestPorts {
  smtp: number;
  submission: number;
  submissions: number;
  pop3: number;
  pop3s: number;
  imap?: number;
  imaps?: number;
  managesieve?: number; // ManageSieve with STARTTLS (RFC 5804)
  http?: number; // plain HTTP (autoconfig documents; redirects pages to https)
  https?: number; // HTTPS: admin, settings, login
}

export interface TestServer {
  host: "127.0.0.1";
  ports: TestPorts;
  config: Config;
  store: Store;
  ctx: AppContext;
  dataDir: string;
  certPem: string;
  users: (TestUser & { id: number })[];
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export const testPassword = "correct horse battery staple";

// Port names in TestPorts for each (protocol, tls) pair.
const portNames: [Protocol, TlsMode, keyof TestPorts][] = [
  ["smtp", "none", "smtp"],
  ["submission", "starttls", "submission"],
  ["submission", "implicit", "submissions"],
  ["pop3", "starttls", "pop3"],
  ["pop3", "implicit", "pop3s"],
  ["imap", "starttls", "imap"],
  ["imap", "implicit", "imaps"],
  ["managesieve", "starttls", "managesieve"],
  ["http", "none", "http"],
  ["http", "implicit", "https"],
];

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), "yubin-test-")));
  const listeners: ListenerConfig[] = portNames.map(([protocol, tls]) => ({
    protocol,
    address: "127.0.0.1",
    port: 0,
    tls,
    ...(opts.proxyProtocol ? { proxyProtocol: true } : {}),
  }));
  let config = defaultConfig();
  config.server.dataDir = dataDir;
  config.server.hostname = "mail.example.test";
  config.server.shutdownGraceSec = 1;
  config.listeners = listeners;
  // No test may ask a real DNS server (inbound SPF/DKIM/DMARC checks, MX lookups): unless a test
  // points [dns] at its own (testing/dns-server.ts), lookups go to a closed local port and fail at once.
  config.dns.servers = ["127.0.0.1:1"];
  // Tests change their DNS zones between steps: answers are not cached unless a test asks.
  config.dns.cacheSec = 0;
  // Stored messages stay byte-exact in protocol tests; mail authentication tests turn this on.
  config.mailauth.verifyInbound = false;
  // Queued mail stays queued unless a test runs the delivery engine (with its own DNS server).
  config.outbound.enabled = false;
  // Likewise the spam filter (on by default), which adds X-Spam-* fields and files the tests'
  // minimal messages (no Date, no Message-ID) by score; tests of the filter turn it on.
  config.spam.enabled = false;
  if (opts.config) config = withOverrides(config, opts.config);
  // YUBIN_TEST_BACKEND=postgres runs a test file's servers on the PostgreSQL store (a fresh schema
  // of the test process's private cluster each), so any protocol test can be run on either backend.
  let pgSchema: { url: string; drop(): Promise<void> } | null = null;
  if (process.env.YUBIN_TEST_BACKEND === "postgres" && config.storage.backend === "sqlite") {
    const { freshSchema } = await import("./postgres.js");
    pgSchema = await freshSchema();
    config.storage.backend = "postgres";
    config.storage.postgresUrl = pgSchema.url;
  }
  const log =
    opts.log ??
    (process.env.YUBIN_TEST_LOG
      ? createLogger({ format: "json", level: "debug", write: (l) => process.stderr.write(l + "\n") })
      : silentLogger);

  let app: App = await startApp(config, { log, filters: opts.filters, locks: opts.locks });
  const users: (TestUser & { id: number })[] = [];
  try {
    const domains = opts.domains ?? ["example.test"];
    for (const d of domains) await app.ctx.store.directory.addDomain(d);
    const wanted = opts.users ?? [
      { address: `alice@${domains[0]}`, password: testPassword },
      { address: `bob@${domains[0]}`, password: testPassword },
    ];
    for (const u of wanted) {
      const a = await app.ctx.store.directory.createAccount({
        address: u.address,
        passwordHash: await hashPassword(u.password),
        quotaBytes: u.quotaBytes,
        quotaMessages: u.quotaMessages,
        isAdmin: u.isAdmin,
      });
      users.push({ ...u, id: a.id });
    }
  } catch (e) {
    await app.stop();
    await pgSchema?.drop();
    throw e;
  }

  // The config now names the bound ports, as a deployment's config names its real ones: what
  // the server advertises (autoconfig documents, SRV records) is then reachable.
  config.listeners = app.listeners.map((r) => ({ ...r.listener, port: r.port }));
  const ports = {} as TestPorts;
  for (const r of app.listeners) {
    const name = portNames.find(([p, t]) => p === r.listener.protocol && t === r.listener.tls)?.[2];
    if (name) ports[name] = r.port;
  }
  const certPem = await readFile(app.tls.certPath, "utf8");

  const server: TestServer = {
    host: "127.0.0.1",
    ports,
    config,
    certPem,
    dataDir,
    users,
    get store() {
      return app.ctx.store;
    },
    get ctx() {
      return app.ctx;
    },
    async stop() {
      await app.stop();
      await rm(dataDir, { recursive: true, force: true });
      await pgSchema?.drop();
    },
    async restart() {
      await app.stop();
      // Same data, same ports: clients reconnect exactly as after a real restart.
      const again = { ...config, listeners: app.listeners.map((r) => ({ ...r.listener, port: r.port })) };
      app = await startApp(again, { log, filters: opts.filters, locks: opts.locks });
    },
  };
  return server;
}
