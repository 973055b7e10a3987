// A few DOM helpers so the views read as the structure they build. No framework: the panel is a
// handful of sections whose text and chart data change; nothing else re-renders.

type Attrs = Record<string, string | number | boolean | undefined>;
type Child = Node | string | null | undefined | false;

/** `h('button', { class: 'x', 'aria-label': 'Export' }, 'PNG')` */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) if (c !== null && c !== undefined && c !== false) parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
}

/** A button with a codicon and a visible or screen-reader-only label. */
export function iconButton(icon: string, label: string, onClick: () => void, options: { showLabel?: boolean; id?: string } = {}): HTMLButtonElement {
  const button = h(
    'button',
    { type: 'button', class: 'icon-button', title: label, 'aria-label': label, id: options.id },
    h('span', { class: `codicon codicon-${icon}`, 'aria-hidden': 'true' }),
    options.showLabel ? h('span', { class: 'label' }, label) : null,
  );
  button.addEventListener('click', onClick);
  return button;
}

/** A plain data table: the accessible twin of a chart. */
export function dataTable(caption: string, headers: string[], rows: (string | number)[][]): HTMLTableElement {
  return h(
    'table',
    { class: 'data-table' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...headers.map((text) => h('th', { scope: 'col' }, text)))),
    h('tbody', {}, ...rows.map((row) => h('tr', {}, ...row.map((cell, i) => (i === 0 ? h('th', { scope: 'row' }, String(cell)) : h('td', {}, String(cell))))))),
  );
}
