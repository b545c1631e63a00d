// NOOP [tag] — RFC 5804 §2.13: OK, echoing the tag as (TAG "tag") so a client can match responses.
import { errors } from "../errors.js";
import type { SessionState } from "../state.js";
import type { Handler } from "./types.js";

export const noop: Handler<SessionState> = async (conn, cmd) => {
  const [tag, extra] = cmd.args;
  if (extra !== undefined || (tag !== undefined && tag.kind !== "string"))
    throw errors.syntax('NOOP ["tag"]');
  await conn.ok("Done", tag === undefined ? undefined : { tag: tag.value });
};
