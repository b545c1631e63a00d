// The CSS filter (issue 18, finding 7): escapes and comments must not hide a fetching construct,
// the output must read back as itself, and the time must be linear in the input.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertLinear } from "../../../src/testing/complexity";
import { cleanCss } from "./sanitize-css";

const blockedCss = (css: string) => cleanCss(css, false);

describe("cleanCss: fetching constructs behind escapes and comments", () => {
  // Each of these loads something in a browser; the regex filter before let all but the plain
  // spellings through.
  const cases: [string, string, number][] = [
    ["p{background:url(https://evil.example/a)}", "p{background:invalid-removed()}", 1],
    ["p{background:\\75 rl(https://evil.example/a)}", "p{background:invalid-removed()}", 1],
    ["p{background:\\000075rl(https://evil.example/a)}", "p{background:invalid-removed()}", 1],
    ["p{background:u\\72l(https://evil.example/a)}", "p{background:invalid-removed()}", 1],
    [
      "p{background:U\\52 L( 'https://evil.example/a' )}",
      'p{background:invalid-removed( "https://evil.example/a" )}',
      1,
    ],
    ['@\\69mport "https://evil.example/x.css";', '@invalid-removed "https://evil.example/x.css";', 1],
    ["@IMPORT url(https://evil.example/x.css);", "@invalid-removed invalid-removed();", 2],
    [
      'p{background:-webkit-image-set("https://evil.example/a" 1x)}',
      'p{background:invalid-removed("https://evil.example/a" 1x)}',
      1,
    ],
    [
      'p{background:image-set("https://evil.example/a" 1x)}',
      'p{background:invalid-removed("https://evil.example/a" 1x)}',
      1,
    ],
    [
      '@font-face{font-family:x;src:src("https://evil.example/f")}',
      '@font-face{font-family:x;src:invalid-removed("https://evil.example/f")}',
      1,
    ],
    ["p{width:expression(alert(1))}", "p{width:invalid-removed(alert(1))}", 0],
  ];
  for (const [input, expected, blocked] of cases) {
    test(input, () => {
      const r = blockedCss(input);
      assert.equal(r.css, expected);
      assert.equal(r.blocked, blocked);
    });
  }

  test("a comment inside a name splits it, as it does for the browser (no url token forms)", () => {
    assert.equal(
      blockedCss("p{background:u/**/rl(https://evil.example/a)}").css,
      "p{background:u rl(https://evil.example/a)}",
    );
    assert.equal(blockedCss("p{background:url/**/(x)}").css, "p{background:url (x)}");
  });

  test("strings are strings: a url( inside one is text, a quote escape does not end one", () => {
    const r = blockedCss(`p{content:"url(x) \\" ;background:url(y)"}`);
    assert.equal(r.css, `p{content:"url(x) \\" ;background:url(y)"}`);
    assert.equal(r.blocked, 0);
  });

  test("a comment opener inside a string is not a comment", () => {
    const r = blockedCss(`p{content:"/*"}q{background:url(https://evil.example/a)}/*"*/`);
    assert.equal(r.css, `p{content:"/*"}q{background:invalid-removed()} `);
    assert.equal(r.blocked, 1);
  });

  test("no `<` survives (the CSS sits in a <style> element): a space outside strings, an escape inside", () => {
    const r = blockedCss("p{}</</stylestyle><link rel=preconnect href=https://evil.example>");
    assert.ok(!r.css.includes("<"), r.css);
    assert.equal(r.css, "p{} / /stylestyle> link rel=preconnect href=https://evil.example>");
    assert.equal(blockedCss(`p{content:"</style>"}`).css, `p{content:"\\3c /style>"}`);
  });

  test("a `<` before a name stays apart from it, so cleaning twice changes nothing (fuzzer finding)", () => {
    const once = blockedCss(`""<\\-`).css;
    assert.equal(once, `"" \\-`);
    assert.equal(blockedCss(once).css, once);
    assert.equal(blockedCss("ur<l(https://evil.example/a)").css, "ur l(https://evil.example/a)");
  });

  test("HTML comment markers around a stylesheet (common in mail) are dropped, rules kept", () => {
    assert.equal(blockedCss("<!--\np{color:red}\n-->").css, " \np{color:red}\n-->");
  });

  test("ordinary CSS passes unchanged", () => {
    const css =
      "@media (max-width:600px){.x-1 td,#hdr>a:hover{color:#1a2b3c!important;margin:-1px 0 .5em 10%;font-family:'Segoe UI',\"微软雅黑\"}}";
    assert.equal(blockedCss(css).css, css.replace("'Segoe UI'", '"Segoe UI"'));
  });

  test("escaped font names decode to the same name", () => {
    assert.equal(blockedCss('p{font-family:"\\5FAE\\8F6F\\96C5\\9ED1"}').css, 'p{font-family:"微软雅黑"}');
  });

  test("with remote content allowed, url() stays (as a string) and @import still goes", () => {
    const r = cleanCss("p{background:url( https://img.example/a.png )}@import 'x.css';", true);
    assert.equal(r.css, 'p{background:url("https://img.example/a.png")}@invalid-removed "x.css";');
    assert.equal(r.blocked, 0);
  });

  test("idempotent: cleaning the output again changes nothing", () => {
    const corpus = [
      "p{background:\\75 rl(x)}@\\69mport 'y';u/**/rl(z) \\31 23 -\\31 x #\\31 a \\\n q{}",
      'a{content:"\\"\\\\\\a\\0 \\D800"}b{x:\\0 y}c{x:"unterminated\nd{}',
      "<!-- p{x:1} --> <x <a { x: url(a b) }",
      "p{font:12px/1.5 a\\,b}\\",
    ];
    for (const css of corpus) {
      for (const remote of [false, true]) {
        const once = cleanCss(css, remote).css;
        assert.equal(cleanCss(once, remote).css, once, JSON.stringify(css));
      }
    }
  });
});

describe("cleanCss: linear time on hostile CSS", () => {
  const inputs: [string, (n: number) => string][] = [
    ["unterminated comments", (n) => "/*".repeat(n)],
    ["escapes", (n) => "\\75 ".repeat(n)],
    ["unterminated url(", (n) => "url(".repeat(n)],
    ["unterminated strings", (n) => "'\\".repeat(n)],
    ["long name", (n) => `p{${"a".repeat(n)}(}`],
    ["<!-- and <", (n) => "<!-<".repeat(n)],
  ];
  // Sizes large enough that both runs leave the CPU caches (a small run inside them looks
  // faster per byte than it is). maxRatio 24: the output's parts array makes garbage that grows
  // with the input, and this machine is shared; quadratic code would show ~64.
  for (const [name, make] of inputs) {
    test(name, () => {
      assertLinear(`cleanCss ${name}`, make, (css) => cleanCss(css, false), {
        n: 50_000,
        minMs: 4,
        reps: 5,
        maxRatio: 24,
      });
    });
  }
});
