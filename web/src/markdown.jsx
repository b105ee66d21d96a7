// The Markdown the privacy notice is written in (shared/privacy/notice): headings, paragraphs,
// "- " lists and **bold**, drawn as elements, never as HTML, so nothing in a text can run.

// Blocks of text: {kind: 'h', level, text} | {kind: 'p', text} | {kind: 'ul', items: [text]}.
export function blocks(md) {
  const out = [];
  let para = null, list = null;
  const flush = () => { para = null; list = null; };
  for (const raw of md.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trim();
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    if (!line) { flush(); continue; }
    if (h) { flush(); out.push({ kind: 'h', level: h[1].length, text: h[2] }); continue; }
    const li = /^[-*]\s+(.*)$/.exec(line);
    if (li) {
      if (!list) { para = null; list = { kind: 'ul', items: [] }; out.push(list); }
      list.items.push(li[1]);
      continue;
    }
    // A line that carries on the list item or paragraph above it.
    if (list && /^\s/.test(raw)) { list.items[list.items.length - 1] += ' ' + line; continue; }
    if (para) { para.text += (/[\u3000-\u9fff]$/.test(para.text) ? '' : ' ') + line; continue; }
    list = null;
    para = { kind: 'p', text: line };
    out.push(para);
  }
  return out;
}

function inline(text) {
  return text.split(/\*\*(.+?)\*\*/g).map((s, i) => (i % 2 ? <strong key={i}>{s}</strong> : s));
}

// Renders md; a heading of level n is an h(n) (the page has its own h1).
export function Markdown({ md }) {
  return blocks(md).map((b, i) => {
    if (b.kind === 'h') {
      const H = 'h' + Math.min(b.level, 6);
      return <H key={i}>{inline(b.text)}</H>;
    }
    if (b.kind === 'ul') return <ul key={i}>{b.items.map((x, j) => <li key={j}>{inline(x)}</li>)}</ul>;
    return <p key={i}>{inline(b.text)}</p>;
  });
}
