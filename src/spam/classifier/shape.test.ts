import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertLinear } from "../../testing/complexity.js";
import type { MessageView } from "../types.js";
import { shapeTokens } from "./shape.js";
import { tokenStrings } from "./tokens.js";

function view(partial: Partial<MessageView>): MessageView {
  return {
    headers: [],
    subject: "",
    text: "",
    html: "",
    links: [],
    attachments: [],
    size: 0,
    truncated: false,
    ...partial,
  };
}

function shapes(v: MessageView): string[] {
  const out: string[] = [];
  shapeTokens(v, (t) => {
    out.push(t);
    return true;
  });
  return out;
}

describe("shapeTokens", () => {
  it("names the markup: tags with log2 counts, colours, hidden text, comments", () => {
    const t = shapes(
      view({
        html: '<html><body><font color="#ff0000" size=5>Buy</font><img src=a><img src=b><img src=c><!-- x --><div style="display:none">hidden</div></body></html>',
      }),
    );
    for (const want of [
      "shape:tag:font:1",
      "shape:tag:img:2",
      "shape:tag:div:1",
      "shape:html:color",
      "shape:html:size",
      "shape:html:hidden",
      "shape:html:comments:1",
    ])
      assert.ok(t.includes(want), want);
    assert.ok(shapes(view({})).includes("shape:html:none"));
  });

  it("names link habits: ports, user info, deep hosts, long queries, counts", () => {
    const t = shapes(
      view({
        links: [
          {
            url: "http://user@deep.sub.host.example:8080/x?id=1234567890abcdef",
            host: "deep.sub.host.example",
            text: "Click here",
          },
          { url: "mailto:a@b.example", host: "", text: "" },
        ],
      }),
    );
    for (const want of [
      "shape:url:scheme:http",
      "shape:url:userinfo",
      "shape:url:port",
      "shape:url:deep",
      "shape:url:query:16",
      "shape:url:click",
      "shape:url:mailto",
      "shape:links:2",
      "shape:hosts:1",
    ])
      assert.ok(t.includes(want), want);
  });

  it("names subject and text tricks: capitals, tags, digits inside words, mixed case", () => {
    const t = shapes(view({ subject: "FREE MONEY NOW  xk39", text: "Buy v1agra and ViAgRa today" }));
    for (const want of [
      "shape:s:upper:3",
      "shape:s:double-space",
      "shape:s:tag",
      "shape:s:digits:2",
      "shape:t:digitword:1",
      "shape:t:mixedcase:1",
    ])
      assert.ok(t.includes(want), want);
    const plain = shapes(view({ subject: "Minutes of the meeting", text: "See you at 10 tomorrow, Bob" }));
    assert.ok(!plain.some((x) => x.startsWith("shape:t:digitword") || x.startsWith("shape:t:mixedcase")));
    assert.ok(!plain.includes("shape:s:tag"));
  });

  it("counts a word's case changes and letters in its first 30 characters only", () => {
    const text = (t: string) => shapes(view({ text: t })).filter((x) => x.startsWith("shape:t:"));
    // M→a at position 1 is a capital, not a change; a→D and D→o are two.
    assert.deepEqual(text("MacDonald"), ["shape:t:mixedcase:1", "shape:t:caps:0", "shape:t:words:1"]);
    assert.deepEqual(text("Macdonald"), ["shape:t:caps:0", "shape:t:words:1"]);
    // Past the 30th character nothing counts; just before it, it does.
    assert.deepEqual(text(`${"a".repeat(30)}BcD`), ["shape:t:caps:0", "shape:t:words:1"]);
    assert.deepEqual(text(`${"x".repeat(28)}BcD`), [
      "shape:t:mixedcase:1",
      "shape:t:caps:0",
      "shape:t:words:1",
    ]);
    assert.deepEqual(text(`ABCD ${"E".repeat(29)}f`), ["shape:t:caps:5", "shape:t:words:2"]);
    assert.deepEqual(text(`ABCD ${"E".repeat(30)}f`), ["shape:t:caps:10", "shape:t:words:2"]);
    assert.deepEqual(text("fr3e fr33 3fre free"), [
      "shape:t:digitword:1",
      "shape:t:caps:0",
      "shape:t:words:4",
    ]);
  });

  it("is part of the message's tokens, and URL path words too", () => {
    const t = tokenStrings(
      view({
        links: [{ url: "http://spam.example/remove/me.html?list=deals", host: "spam.example", text: "" }],
      }),
    );
    assert.ok(t.includes("shape:links:1"));
    for (const w of ["url:w:remove", "url:w:html", "url:w:list", "url:w:deals"]) assert.ok(t.includes(w), w);
    assert.ok(!tokenStrings(view({}), { shape: false }).some((x) => x.startsWith("shape:")));
  });

  it("scans hostile markup and text in linear time", () => {
    assertLinear("tags", (n) => view({ html: "<<a".repeat(n) }), shapes, { n: 4_000, minMs: 0.5 });
    assertLinear("comments", (n) => view({ html: "<!--".repeat(n) }), shapes, { n: 4_000, minMs: 0.5 });
    assertLinear("words", (n) => view({ text: "aB1c ".repeat(n) }), shapes, { n: 4_000, minMs: 0.5 });
  });
});
