// yubin serve — run the configured listeners until SIGTERM/SIGINT; SIGHUP reloads certificates.

import { startApp } from "../../app/start.js";
import { openStore } from "../../app/stores.js";
import { createLogger } from "../../log/logger.js";
import { ensureFirstAccount } from "../../server/bootstrap.js";
import { guardProcess } from "../../server/process-guard.js";
import { LocalNotifier } from "../../store/notifier.js";
import { onlyFlags, type ParsedArgs } from "../args.js";
import { type CliEnv, loadOrCreateConfig, print } from "../env.js";

export async function serveCommand(env: CliEnv, args: ParsedArgs): Promise<void> {
  onlyFlags(args, []);
  const { config, created } = loadOrCreateConfig(env);
  const log = createLogger({
    level: config.log.level,
    format: config.log.format === "auto" ? undefined : config.log.format,
  });
  if (created) log.info("wrote a new config", { path: env.configPath });
  const notifier = new LocalNotifier();
  const store = await openStore(config, notifier, log);
  const first = await ensureFirstAccount(store, config);
  const app = await startApp(config, { log, store, notifier });
  // Started: from now on an error that escapes one request is logged and counted, not fatal
  // (before this line it still ends the process, as a failed start should).
  guardProcess(log, app.ctx.health);
  // Handlers first, then "ready": whoever waits for that line may signal at once.
  process.on("SIGHUP", () => {
    try {
      app.tls.reload();
      log.info("reloaded TLS certificate");
    } catch (e) {
      log.error("TLS reload failed; keeping the old certificate", { err: e as Error });
    }
  });
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (sig: string) => {
      log.info("shutting down", { signal: sig });
      app.stop().then(resolve, (e) => {
        log.error("shutdown failed", { err: e as Error });
        resolve();
      });
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  });

  print(env, "");
  print(env, `Yubin is running (config ${env.configPath}, data ${config.server.dataDir})`);
  for (const r of app.listeners) {
    const l = r.listener;
    const web =
      l.protocol !== "http"
        ? ""
        : l.tls === "implicit"
          ? `  https://${l.address.includes(":") ? `[${l.address}]` : l.address}:${r.port}/ (webmail; /admin)`
          : "  (mail-client autoconfig; redirects to https)";
    print(env, `  ${l.protocol.padEnd(10)} ${l.address}:${r.port} (tls: ${l.tls})${web}`);
  }
  if (first) {
    print(env, `  First account: ${first.address}  password: ${first.password}`);
    print(env, "  (shown once; change it with `yubin user passwd " + first.address + "`)");
  }
  print(env, "");
  log.info("ready", { listeners: app.listeners.length });
  await stopped;
}
