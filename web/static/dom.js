// Tiny DOM builder. Every piece of data becomes a text node or an attribute value, never
// markup, so ticket text or company names can not inject HTML (no innerHTML anywhere).

// h('button', {class: 'primary', onclick: fn, 'aria-label': 'Close'}, 'Close')
export function h(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') {
      node.className = value;
    } else if (key === 'dataset') {
      Object.assign(node.dataset, value);
    } else if (key === 'style') {
      for (const [name, styleValue] of Object.entries(value)) node.style.setProperty(name, styleValue);
    } else if (key.startsWith('on') && typeof value === 'function') {
      node.addEventListener(key.slice(2), value);
    } else if (key === 'value' || key === 'checked' || key === 'selected') {
      node[key] = value;  // the live property, not only the default
    } else {
      node.setAttribute(key, value === true ? '' : String(value));
    }
  }
  appendChildren(node, children);
  return node;
}

export function appendChildren(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Replaces every child of `node` with `children`.
export function replace(node, ...children) {
  node.replaceChildren();
  return appendChildren(node, children);
}

// A short-lived status text for screen readers and sighted users alike.
export function announce(region, text, clearAfterMs = 4000) {
  region.textContent = text;
  if (clearAfterMs > 0) {
    const shown = text;
    setTimeout(() => {
      if (region.textContent === shown) region.textContent = '';
    }, clearAfterMs);
  }
}
