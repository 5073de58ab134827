// highlight.ts — read-only syntax highlight for the generated files in Review: Java properties, systemd units,
// environment files. Returns HTML with every character of the content escaped.

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function highlight(content: string): string {
  return content
    .split('\n')
    .map((line) => {
      if (/^\s*[#;!]/.test(line)) return `<span class="hl-comment">${escapeHtml(line)}</span>`;
      const section = line.match(/^\s*\[[^\]]+\]\s*$/);
      if (section) return `<span class="hl-section">${escapeHtml(line)}</span>`;
      const kv = line.match(/^(\s*[^=:\s][^=]*?)(\s*=\s*)(.*)$/);
      if (kv) return `<span class="hl-key">${escapeHtml(kv[1])}</span>${escapeHtml(kv[2])}<span class="hl-value">${escapeHtml(kv[3])}</span>`;
      return escapeHtml(line);
    })
    .join('\n');
}
