// Message HTML → the srcdoc of a sandboxed iframe. Three independent layers keep a message from
// running code or tracking the reader:
//  1. This allowlist sanitizer (on an inert DOMParser document: nothing loads or runs while it
//     works): only known-harmless elements and attributes survive, links only http(s)/mailto,
//     images only cid:/data:image and (when the user asks) remote https.
//  2. The iframe has sandbox without allow-scripts (MessageBody.tsx): no script can run in it.
//  3. The document carries its own Content-Security-Policy (script-src none, images limited as
//     in 1), on top of the page's policy that the srcdoc document inherits.
// biome-ignore format: a word list reads better packed
const DROP_WITH_CONTENT = new Set([
  "script", "style-sheet", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input",
  "button", "textarea", "select", "option", "link", "meta", "base", "svg", "math", "noscript", "template",
  "audio", "video", "source", "track", "canvas", "dialog", "portal", "title", "head",
]);

// biome-ignore format: a word list reads better packed
const ALLOWED = new Set([
  "a", "abbr", "address", "article", "b", "bdi", "bdo", "big", "blockquote", "br", "caption", "center",
  "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption",
  "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img", "ins", "kbd",
  "li", "main", "mark", "nav", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "section", "small",
  "span", "strike", "strong", "style", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
  "thead", "time", "tr", "tt", "u", "ul", "var", "wbr",
]);

// biome-ignore format: a word list reads better packed
const ATTRS = new Set([
  "href", "src", "alt", "title", "width", "height", "align", "valign", "bgcolor", "color", "border",
  "cellpadding", "cellspacing", "colspan", "rowspan", "style", "class", "dir", "lang", "face", "size",
  "start", "type", "span", "nowrap", "background", "datetime", "cite", "reversed", "scope", "headers",
]);

const REMOTE = /^\s*https?:/i;
const SAFE_DATA_IMAGE = /^data:image\/(png|gif|jpe?g|webp|bmp);base64,[a-z0-9+/=\s]*$/i;
/** CSS that could fetch something: url(...), image-set(...), @import. */
const CSS_FETCH = /url\s*\(|image-set\s*\(|@import/gi;

export interface SanitizeOptions {
  allowRemote: boolean;
  /** Content-ID (without <>) → URL of the part (our own download URL). */
  cidUrl: (cid: string) => string | null;
}

export interface Sanitized {
  html: string;
  blockedRemote: number;
}

function cleanCss(css: string, allowRemote: boolean): { css: string; blocked: number } {
  if (allowRemote) return { css: css.replace(/@import/gi, ""), blocked: 0 };
  let blocked = 0;
  const out = css.replace(CSS_FETCH, () => {
    blocked++;
    return "invalid-removed(";
  });
  return { css: out, blocked };
}

export function sanitizeHtml(input: string, o: SanitizeOptions): Sanitized {
  const doc = new DOMParser().parseFromString(input, "text/html");
  let blocked = 0;
  const styles: string[] = [];

  const walk = (el: Element) => {
    for (const child of [...el.children]) {
      const tag = child.tagName.toLowerCase();
      if (DROP_WITH_CONTENT.has(tag)) {
        child.remove();
        continue;
      }
      if (!ALLOWED.has(tag)) {
        walk(child);
        child.replaceWith(...child.childNodes);
        continue;
      }
      if (tag === "style") {
        const c = cleanCss(child.textContent ?? "", o.allowRemote);
        blocked += c.blocked;
        styles.push(c.css);
        child.remove();
        continue;
      }
      for (const a of [...child.attributes]) {
        const name = a.name.toLowerCase();
        if (!ATTRS.has(name)) child.removeAttribute(a.name);
      }
      cleanAttributes(child, tag);
      walk(child);
    }
  };

  const cleanAttributes = (el: Element, tag: string) => {
    const style = el.getAttribute("style");
    if (style !== null) {
      const c = cleanCss(style, o.allowRemote);
      blocked += c.blocked;
      el.setAttribute("style", c.css);
    }
    const bg = el.getAttribute("background");
    if (bg !== null && (!o.allowRemote || !REMOTE.test(bg))) {
      if (REMOTE.test(bg)) blocked++;
      el.removeAttribute("background");
    }
    if (tag === "a") {
      const href = el.getAttribute("href") ?? "";
      if (/^\s*(https?:|mailto:)/i.test(href)) {
        el.setAttribute("target", "_blank");
        el.setAttribute("rel", "noopener noreferrer");
      } else if (!href.startsWith("#")) el.removeAttribute("href");
    } else el.removeAttribute("href");
    if (tag === "img") {
      const src = (el.getAttribute("src") ?? "").trim();
      let ok: string | null = null;
      if (/^cid:/i.test(src)) ok = o.cidUrl(decodeURIComponent(src.slice(4)).replace(/^<|>$/g, ""));
      else if (SAFE_DATA_IMAGE.test(src)) ok = src;
      else if (REMOTE.test(src)) {
        if (o.allowRemote) ok = src.replace(/^\s*http:/i, "https:");
        else blocked++;
      }
      if (ok) el.setAttribute("src", ok);
      else el.removeAttribute("src");
    } else el.removeAttribute("src");
  };

  // Most mail puts its <style> in <head>, which the walk of <body> does not see.
  for (const st of [...doc.head.querySelectorAll("style")]) {
    const c = cleanCss(st.textContent ?? "", o.allowRemote);
    blocked += c.blocked;
    styles.push(c.css);
  }
  walk(doc.body);
  const imgSrc = o.allowRemote ? "'self' data: https:" : "'self' data:";
  const csp = `default-src 'none'; img-src ${imgSrc}; style-src 'unsafe-inline'; font-src data:`;
  const html = `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<base target="_blank">
<style>html,body{margin:0;padding:0}body{padding:8px;font:14px/1.45 system-ui,sans-serif;color:#1d2330;overflow-wrap:anywhere}img{max-width:100%;height:auto}pre{white-space:pre-wrap}</style>
${styles.map((s) => `<style>${s.replace(/<\/style/gi, "")}</style>`).join("\n")}
</head><body>${doc.body.innerHTML}</body></html>`;
  return { html, blockedRemote: blocked };
}

/** Plain text shown as HTML in the same frame (the HTML view of a text-only part). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
