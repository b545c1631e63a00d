// Stage "sieve": the users' mail rules (RFC 5228) and the admin's global scripts, after the
// filters (so spamtest sees the spam verdict, RFC 5235) and before filing. For each local account
// (once, with the first envelope recipient that reached it): the global before script, the
// account's active script, and the global after script when the message is still implicitly kept
// (Dovecot's sieve_before / sieve_after; sieve-plan.ts adds the results up). What they decide
// becomes the account's plan (Work.plans: which mailboxes, which flags, an edited copy), the
// redirects and notifications (sent by the stages after filing) and the vacation replies and
// rejections (the side-effects stage).
//
// Never lost mail: a script that does not compile, or fails while it runs (limits, a store
// error), leaves the message kept in INBOX and a log line. A message every local recipient's
// script rejects, with no other recipient, is refused in the protocol (RFC 5429 2.2: port 25 at
// the end of DATA with 550 5.7.1 for reject and ereject; submission and JMAP only for ereject,
// RFC 5429 2.1 keeps reject a rejection message there); otherwise the side-effects stage sends
// the rejection message, unless that would be backscatter.
import type { AppContext } from "../server/context.js";
import { runSieve } from "../sieve/index.js";
import type { CompiledScript, RunLimits, SieveHost, SieveMessage, SieveResult } from "../sieve/types.js";
import { PostOfficeError } from "./errors.js";
import { sieveHost } from "./sieve-host.js";
import { ChainResult, type RejectAction } from "./sieve-plan.js";
import { type Compiled, CompiledCache, globalDirOf, WatchedFiles } from "./sieve-scripts.js";
import { returnPathHeader } from "./trace-fields.js";
import type { DuplicateRecord, Stage, Work } from "./types.js";

/** What the stage keeps between messages, per app (the cache and the global files). */
interface SieveRuntime {
  cache: CompiledCache;
  files: WatchedFiles;
}

const runtimes = new WeakMap<AppContext, SieveRuntime>();

function runtimeOf(ctx: AppContext): SieveRuntime {
  let r = runtimes.get(ctx);
  if (!r) {
    const cfg = ctx.config.sieve;
    r = { cache: new CompiledCache(cfg.compiledCacheEntries, cfg.maxScriptBytes), files: new WatchedFiles() };
    runtimes.set(ctx, r);
  }
  return r;
}

/** One script of the chain, compiled, with its name for the log. */
interface ChainScript {
  name: string;
  compiled: Compiled;
  after: boolean;
}

export const sieveStage: Stage = {
  name: "sieve",
  // "redirect": a Sieve redirect to one of our addresses runs the target's rules (redirect.ts).
  doors: new Set(["inbound", "submission", "jmap", "redirect"]),
  async run(work, { ctx }) {
    const cfg = ctx.config.sieve;
    if (!cfg.enabled || work.accountIds.length === 0) return "next";
    const rt = runtimeOf(ctx);
    const globals = await globalScripts(ctx, rt, work);
    // The message as it will be filed, minus Return-Path (added per copy): what scripts test.
    // Both made once, when the first account has a script (most deliveries have none).
    let raw: Buffer | null = null;
    let envelopeAuth: string | null | undefined;
    const limits: RunLimits = {
      maxSteps: cfg.maxSteps,
      maxActions: cfg.maxActions,
      maxRedirects: cfg.maxRedirects,
      maxNotify: cfg.maxNotify,
      maxIncludeDepth: cfg.maxIncludeDepth,
      maxRunMs: cfg.maxRunMs,
      vacationMinSeconds: cfg.vacationMinSeconds,
      vacationMaxSeconds: cfg.vacationMaxSeconds,
      duplicateDefaultSeconds: cfg.duplicateDefaultSeconds,
      duplicateMaxSeconds: cfg.duplicateMaxSeconds,
      maxVariableBytes: cfg.maxVariableBytes,
      editheaderMaxValueBytes: cfg.editheaderMaxValueBytes,
    };
    const rejects = new Map<number, RejectAction>();
    const done = new Set<number>();
    const now = new Date();
    for (const r of work.letter.recipients) {
      for (const accountId of r.accountIds) {
        if (done.has(accountId)) continue;
        done.add(accountId);
        // Read with the account at RCPT when the door could (an account's own address).
        const facts = r.facts?.get(accountId);
        const active = facts ? facts.sieve : await ctx.store.sieve.active(accountId);
        const chain: ChainScript[] = [...globals.before];
        if (active)
          chain.push({
            name: `user script "${active.name}"`,
            compiled: rt.cache.get(active.content),
            after: false,
          });
        chain.push(...globals.after);
        if (chain.length === 0) continue;
        const remember: DuplicateRecord[] = [];
        const host = marked(
          sieveHost({
            ctx,
            accountId,
            recipient: r.address,
            spam: work.spamByAccount.get(accountId) ?? work.spam,
            virus: work.virus,
            globalDir: globalDirOf(cfg.globalDir, ctx.config.server.dataDir),
            files: rt.files,
            now,
            remember,
          }),
        );
        raw ??= Buffer.concat([work.received, work.authFields, work.filterFields, work.body]);
        if (envelopeAuth === undefined) envelopeAuth = await senderIdentity(ctx, work);
        const result = new ChainResult();
        let message: Buffer = raw;
        let edited = false;
        for (const s of chain) {
          if (s.after && !result.implicitKeep) break;
          if (!s.compiled.ok) {
            // RFC 5228 2.10.6: a script with errors is not run; the chain goes on without it.
            work.log.warn("sieve script does not compile; not run", {
              accountId,
              script: s.name,
              error: s.compiled.error.message.slice(0, 500),
            });
            continue;
          }
          const msg: SieveMessage = {
            raw: message,
            envelope: {
              from: work.letter.mailFrom,
              to: r.address,
              orcpt: r.orcpt ?? null,
              auth: envelopeAuth,
            },
          };
          const recorded = remember.length;
          const res = await runSafely(s.compiled.script, msg, host, limits);
          // RFC 7352 3: a run that failed leaves no duplicate record behind.
          if (res.error) remember.length = recorded;
          if (res.error)
            work.log.warn("sieve script failed; message kept", {
              accountId,
              script: s.name,
              error: `line ${res.error.line}, column ${res.error.column}: ${res.error.message}`,
            });
          result.add(res);
          if (res.edited) {
            message = res.edited;
            edited = true;
          }
        }
        const out = result.finish();
        work.plans.set(accountId, {
          copies: out.plan,
          body: edited
            ? Buffer.concat([Buffer.from(returnPathHeader(work.letter.mailFrom), "utf8"), message])
            : null,
          remember,
        });
        for (const { address } of out.redirects) work.redirects.push({ accountId, address, body: message });
        for (const n of out.notifications)
          work.notifications.push({
            accountId,
            method: n.method,
            from: n.from,
            importance: n.importance,
            options: n.options,
            message: n.message,
          });
        if (out.reject) {
          rejects.set(accountId, out.reject);
          work.sieveReplies.push({ accountId, recipient: r.address, action: out.reject });
        }
        if (out.vacation) work.sieveReplies.push({ accountId, recipient: r.address, action: out.vacation });
        work.log.debug("sieve ran", {
          accountId,
          copies: out.plan.map((c) => c.mailbox ?? "(keep)").join(","),
          reject: out.reject !== null,
        });
      }
    }
    refuseWhenAllReject(work, rejects);
    return "next";
  },
};

/** RFC 5429 2.2 (ereject) and 2.1 (reject at an MX that can refuse): every local recipient
 *  rejected it and nobody else gets it → refuse in the protocol instead of accepting it. */
function refuseWhenAllReject(work: Work, rejects: Map<number, RejectAction>): void {
  const door = work.letter.door;
  if (rejects.size === 0 || work.remote.length > 0) return;
  if (door !== "inbound" && door !== "submission" && door !== "jmap") return;
  if (!work.accountIds.every((id) => rejects.has(id))) return;
  const list = [...rejects.values()];
  const inProtocol = door === "inbound" ? list : list.filter((a) => a.extended);
  if (inProtocol.length !== list.length) return;
  const reason = list[0]!.reason
    .replace(/[\x00-\x1f\x7f]+/g, " ")
    .trim()
    .slice(0, 200);
  work.log.info("sieve rejected the message for every recipient", { reason });
  throw new PostOfficeError("rejected", reason === "" ? "rejected by the recipient's mail rules" : reason);
}

/** An error the host (the store) threw while a script ran: not the script's fault. */
class HostError extends Error {
  constructor(readonly inner: unknown) {
    super("sieve host failed");
  }
}

/** The host with every method's failure marked as the host's. */
function marked(host: SieveHost): SieveHost {
  const wrap =
    <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      try {
        return await f(...a);
      } catch (error) {
        throw new HostError(error);
      }
    };
  return {
    ...host,
    mailboxExists: wrap(host.mailboxExists),
    duplicate: wrap(host.duplicate),
    include: wrap(host.include),
  };
}

/** Runs one script. The interpreter reports the script's runtime errors in the result; a store
 *  failure is rethrown (the door answers with a temporary error and the sender retries, rather
 *  than the message being filed where the script did not want it); anything else thrown is the
 *  interpreter's bug, treated as a runtime error: the message kept. */
async function runSafely(
  script: CompiledScript,
  msg: SieveMessage,
  host: SieveHost,
  limits: RunLimits,
): Promise<SieveResult> {
  try {
    return await runSieve(script, msg, host, limits);
  } catch (error) {
    if (error instanceof HostError) throw error.inner;
    const message = error instanceof Error ? error.message : String(error);
    return { actions: [{ type: "keep", flags: [] }], edited: null, error: { line: 0, column: 0, message } };
  }
}

/** Shared, never changed: the stage copies the lists into each chain. */
const NO_GLOBAL_SCRIPTS: { readonly before: readonly ChainScript[]; readonly after: readonly ChainScript[] } =
  {
    before: [],
    after: [],
  };

/** The global before and after scripts ([sieve] globalBefore / globalAfter), compiled. */
async function globalScripts(
  ctx: AppContext,
  rt: SieveRuntime,
  work: Work,
): Promise<{ readonly before: readonly ChainScript[]; readonly after: readonly ChainScript[] }> {
  const cfg = ctx.config.sieve;
  // None configured (the default): nothing to read, and no closure made for every message.
  if (cfg.globalBefore === "" && cfg.globalAfter === "") return NO_GLOBAL_SCRIPTS;
  const load = async (path: string, after: boolean): Promise<ChainScript[]> => {
    if (path === "") return [];
    try {
      const text = await rt.files.read(globalPathOf(path, ctx.config.server.dataDir));
      if (text === null) {
        work.log.warn("global sieve script missing", { path });
        return [];
      }
      return [{ name: `global script ${path}`, compiled: rt.cache.get(text), after }];
    } catch (error) {
      work.log.warn("global sieve script unreadable", { path, error });
      return [];
    }
  };
  return { before: await load(cfg.globalBefore, false), after: await load(cfg.globalAfter, true) };
}

function globalPathOf(path: string, dataDir: string): string {
  return path.startsWith("/") ? path : `${dataDir}/${path}`;
}

/** RFC 5228 5.4 envelope "auth": the sending account's address at the submission and JMAP doors. */
async function senderIdentity(ctx: AppContext, work: Work): Promise<string | null> {
  if (work.letter.accountId === null) return null;
  return (await ctx.store.directory.getAccount(work.letter.accountId))?.address ?? null;
}
