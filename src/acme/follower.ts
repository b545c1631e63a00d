// A process that serves mail but does not run ACME itself (no HTTP listener: SMTP and POP3 in
// their own processes on the same data directory, README "Production ports") still serves the
// certificate the web process obtains: it looks at dataDir/acme/cert.pem every checkIntervalMin
// and reloads its TLS provider when the file changed, as the ACME process does after a renewal.
import { stat } from "node:fs/promises";
import type { Logger } from "../log/logger.js";
import { acmePaths } from "./files.js";

export interface FollowerDeps {
  dataDir: string;
  tls: { reload(): void };
  log: Logger;
  intervalMs: number;
}

/** Start following; the returned function stops it. */
export function followIssuedCertificate(deps: FollowerDeps): () => void {
  const path = acmePaths(deps.dataDir).cert;
  let last = "";
  const look = async () => {
    const s = await stat(path).catch(() => null);
    const seen = s ? `${s.mtimeMs}/${s.size}/${s.ino}` : "";
    if (seen === last) return;
    const first = last === "";
    last = seen;
    if (first && seen === "") return;
    try {
      deps.tls.reload();
      if (!first) deps.log.info("acme certificate reloaded (renewed by another process)");
    } catch (e) {
      deps.log.error("acme certificate not loaded; the previous one stays", { err: e as Error });
    }
  };
  void look();
  const timer = setInterval(() => void look(), deps.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
