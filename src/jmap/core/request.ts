// The JMAP API request (RFC 8620 3.3-3.5), independent of HTTP: validate the Request object,
// then run each method call in order, resolving result references (3.7) and creation ids, each
// call's failure answered as an "error" response without stopping the others (3.6.2).
import { StoreError } from "../../store/errors.js";
import { isObject } from "./args.js";
import { JmapRequestError, MethodError } from "./errors.js";
import { resolveReferences } from "./refs.js";
import type {
  Invocation,
  JmapRequest,
  JmapResponse,
  JmapServices,
  Json,
  MethodContext,
  MethodDef,
} from "./types.js";

/** Capabilities a client may list in "using" (anything else: unknownCapability, 3.6.1). */
export type MethodTable = ReadonlyMap<string, MethodDef>;

/** RFC 8620 3.3: checks the shape of a Request object; throws notRequest / limit / unknownCapability. */
export function parseRequest(
  body: unknown,
  capabilities: ReadonlySet<string>,
  maxCalls: number,
): JmapRequest {
  if (!isObject(body)) throw new JmapRequestError("notRequest", 400, "the request is not a JSON object");
  const { using, methodCalls, createdIds } = body;
  if (!Array.isArray(using) || using.some((u) => typeof u !== "string")) {
    throw new JmapRequestError("notRequest", 400, '"using" must be a list of capability strings');
  }
  if (!Array.isArray(methodCalls))
    throw new JmapRequestError("notRequest", 400, '"methodCalls" must be a list');
  for (const c of methodCalls) {
    if (
      !Array.isArray(c) ||
      c.length !== 3 ||
      typeof c[0] !== "string" ||
      !isObject(c[1]) ||
      typeof c[2] !== "string"
    ) {
      throw new JmapRequestError("notRequest", 400, "each method call must be [name, arguments, id]");
    }
  }
  if (
    createdIds !== undefined &&
    (!isObject(createdIds) || Object.values(createdIds).some((v) => typeof v !== "string"))
  ) {
    throw new JmapRequestError("notRequest", 400, '"createdIds" must map creation ids to ids');
  }
  for (const u of using as string[]) {
    if (!capabilities.has(u)) throw new JmapRequestError("unknownCapability", 400, `unknown capability ${u}`);
  }
  if (methodCalls.length > maxCalls) {
    throw new JmapRequestError("limit", 400, `more than ${maxCalls} method calls`, "maxCallsInRequest");
  }
  const req: JmapRequest = { using: using as string[], methodCalls: methodCalls as Invocation[] };
  if (createdIds !== undefined) req.createdIds = createdIds as Record<string, string>;
  return req;
}

export interface RunOptions {
  services: JmapServices;
  methods: MethodTable;
  accountId: number;
  sessionState: string;
  jmapAccountId: string;
}

/** Runs a parsed request for one authenticated account. */
export async function runRequest(req: JmapRequest, o: RunOptions): Promise<JmapResponse> {
  const account = await o.services.app.store.directory.getAccount(o.accountId);
  if (!account || account.disabled) throw new JmapRequestError("notRequest", 403, "account unavailable");
  const createdIds = new Map(Object.entries(req.createdIds ?? {}));
  const using = new Set(req.using);
  const responses: Invocation[] = [];
  for (const [name, rawArgs, callId] of req.methodCalls) {
    const mc: MethodContext = {
      services: o.services,
      account,
      accountId: o.jmapAccountId,
      using,
      createdIds,
      extraResponses: [],
      callId,
    };
    try {
      const def = o.methods.get(name);
      if (!def || !using.has(def.capability))
        throw new MethodError("unknownMethod", `unknown method ${name}`);
      const args = resolveReferences(rawArgs, responses);
      const result = await def.handler(args, mc);
      responses.push([name, result, callId], ...mc.extraResponses);
    } catch (e) {
      responses.push(["error", errorArguments(e, o, name), callId]);
    }
  }
  const out: JmapResponse = { methodResponses: responses, sessionState: o.sessionState };
  // Echo createdIds only when the client sent them (RFC 8620 3.4).
  if (req.createdIds !== undefined) out.createdIds = Object.fromEntries(createdIds);
  return out;
}

function errorArguments(e: unknown, o: RunOptions, name: string): { [key: string]: Json } {
  if (e instanceof MethodError) return e.toJSON() as { [key: string]: Json };
  if (e instanceof StoreError && e.code === "invalid") {
    return { type: "invalidArguments", description: e.message };
  }
  // RFC 8620 3.6.2: serverUnavailable, "some internal server resource was temporarily
  // unavailable"; the database is down and the method changed nothing: the client retries.
  if (e instanceof StoreError && e.code === "unavailable") {
    o.services.app.log.warn("jmap method: store unavailable", { method: name, err: e.message });
    return { type: "serverUnavailable", description: "mail store temporarily unavailable, try again later" };
  }
  o.services.app.log.error("jmap method failed", { method: name, error: e });
  return { type: "serverFail", description: "internal error" };
}
