// QUIT — RFC 1939 §6 (AUTHORIZATION) and §6 (UPDATE): after login, QUIT removes the messages
// marked deleted, then the session ends. Only QUIT does this: a dropped connection never does.
import { errors } from "../errors.js";
import type { SessionState } from "../state.js";
import type { Handler } from "./types.js";

export const quit: Handler<SessionState> = async (conn, _cmd, state) => {
  conn.endAfterReply();
  if (state.kind === "authorization") {
    await conn.ok("bye");
    return;
  }
  let removed: number;
  try {
    removed = await state.maildrop.commit();
  } catch (e) {
    conn.log.error("UPDATE failed", { err: e });
    throw errors.notRemoved();
  }
  // The maildrop is given up before the reply (the session's cleanup does it again, harmlessly):
  // a client that reconnects the moment it reads +OK, as fetchmail's polls and benchmarks do,
  // must not find its own finished session still holding the lock and get -ERR [IN-USE].
  await state.maildrop.close();
  await state.lock.release();
  await conn.ok(removed === 0 ? "bye" : `bye, ${removed} message${removed === 1 ? "" : "s"} deleted`);
};
