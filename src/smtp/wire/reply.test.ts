import assert from "node:assert/strict";
import { test } from "node:test";
import { formatReply, reply } from "./reply.js";

test("formatReply: single, multi-line, enhanced codes, no CR/LF injection", () => {
  assert.equal(formatReply(reply(250, "2.0.0", "OK")), "250 2.0.0 OK\r\n");
  assert.equal(formatReply(reply(220, null, "mx ESMTP")), "220 mx ESMTP\r\n");
  assert.equal(
    formatReply(reply(250, null, "mx", "PIPELINING", "SIZE 10")),
    "250-mx\r\n250-PIPELINING\r\n250 SIZE 10\r\n",
  );
  assert.equal(formatReply(reply(334, null, "")), "334 \r\n");
  assert.equal(formatReply(reply(550, "5.1.1", "a\r\nb")), "550 5.1.1 a b\r\n");
});
