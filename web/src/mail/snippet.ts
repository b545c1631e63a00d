// A SearchSnippet's subject or preview (RFC 8621 5.1): text escaped as HTML with <mark> around
// the matches, and nothing else. It is read with the browser's parser into plain strings and
// marked strings, so the view renders it as text, never as markup.

export interface SnippetPart {
  text: string;
  mark: boolean;
}

export function snippetParts(html: string, parse: (html: string) => Document): SnippetPart[] {
  const doc = parse(html);
  return [...doc.body.childNodes].map((n) => ({ text: n.textContent ?? "", mark: n.nodeName === "MARK" }));
}
