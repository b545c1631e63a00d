// Issue 18, finding 5: a POP3 client used to keep an unauthenticated connection open forever by
// sending a command (CAPA) before each idle timeout. pop3.loginDeadlineSec counts from connecting.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { TestServer } from "../testing/harness.js";
import { Pop3TestClient } from "./test-client.js";
import { startPop3TestServer } from "./test-server.js";

describe("pop3 login deadline", () => {
  let server: TestServer;
  before(async () => {
    server = await startPop3TestServer({ config: { pop3: { loginDeadlineSec: 1, loginTimeoutSec: 60 } } });
  });
  after(async () => {
    await server.stop();
  });

  test("CAPA every 150 ms does not keep an unauthenticated connection past the deadline", async () => {
    const c = await Pop3TestClient.connect(server.ports.pop3);
    try {
      await c.readLine();
      let line = "";
      let answered = 0;
      for (let i = 0; i < 40 && !line.startsWith("-ERR"); i++) {
        line = await c.cmd("CAPA");
        if (line.startsWith("+OK")) {
          answered++;
          await c.readBody();
        }
        await new Promise((r) => setTimeout(r, 150));
      }
      assert.equal(line, "-ERR login took too long, closing connection");
      // At the 1 s deadline: at least 150 ms between commands, so at most ~7 are answered before
      // it (fewer on a loaded machine, never more); 20 would take 3 s. Counted, not timed, so load
      // cannot fail it. A deadline that each command restarted would never come (the loop ends).
      assert.ok(answered < 20, `closed at the deadline, not later (${answered} commands answered)`);
      assert.ok(await c.waitClosed());
    } finally {
      c.close();
    }
  });

  test("after login the deadline no longer applies", async () => {
    const u = server.users[0]!;
    const c = await Pop3TestClient.connect(server.ports.pop3s, { tls: true, ca: server.certPem });
    try {
      await c.readLine();
      assert.match(await c.login(u.address, u.password), /^\+OK/);
      await new Promise((r) => setTimeout(r, 1500));
      assert.match(await c.cmd("NOOP"), /^\+OK/);
    } finally {
      c.close();
    }
  });
});
