// Building DOM nodes without innerHTML, so that names from the API are never parsed as
// markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(node, attributes, children) {
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') {
      node.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    } else if (name.startsWith('on') && typeof value === 'function') {
      node.addEventListener(name.slice(2), value);
    } else if (name === 'style') {
      // Through the CSSOM: the Content-Security-Policy (style-src 'self') refuses style
      // attributes set as markup.
      node.style.cssText = value;
    } else if (name === 'dataset') {
      Object.assign(node.dataset, value);
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// h('a', {href: '#/'}, 'Overview'): an HTML element with attributes and children.
export function h(tag, attributes, ...children) {
  return build(document.createElement(tag), attributes, children);
}

// The same for SVG elements.
export function s(tag, attributes, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attributes, children);
}

// Replaces the children of `node`.
export function replaceChildren(node, ...children) {
  node.replaceChildren();
  build(node, {}, children);
}
