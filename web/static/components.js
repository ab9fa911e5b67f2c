// Small building blocks shared by the views.
import {announce, h} from './dom.js';
import {riskLevelName} from './format.js';

// Risk level as a badge: the word is always there, colour only repeats it.
export function riskBadge(level, score) {
  const name = riskLevelName(level);
  const text = score === undefined ? name : `${name} · ${score}`;
  return h('span', {class: `badge risk-${name.toLowerCase()}`}, text);
}

export function sourceBadge(source) {
  const known = source === 'model' || source === 'fallback';
  return h('span', {class: `badge source-${known ? source : 'unknown'}`, 'data-field': 'source'},
           known ? source : (source || 'unknown'));
}

// One figure of a dashboard: label, value and an optional hint line.
export function statCard(label, value, field, hint) {
  return h('div', {class: 'stat'},
           h('dt', {}, label),
           h('dd', {},
             h('span', {class: 'stat-value', 'data-field': field}, value),
             hint ? h('span', {class: 'stat-hint'}, hint) : null));
}

// A horizontal bar: width proportional to value / max, the figure printed beside it.
export function barRow(label, value, max, valueText, modifier = '') {
  const share = max > 0 ? Math.max(0, Math.min(1, value / max)) : 0;
  return h('div', {class: 'bar-row'},
           h('span', {class: 'bar-label'}, label),
           h('span', {class: 'bar-track', 'aria-hidden': 'true'},
             h('span', {class: `bar-fill ${modifier}`.trim(), style: {width: `${(share * 100).toFixed(1)}%`}})),
           h('span', {class: 'bar-value'}, valueText));
}

export function errorBox(message) {
  return h('div', {class: 'error-box', role: 'alert'}, message);
}

export function loadingText(text = 'Loading…') {
  return h('p', {class: 'loading', role: 'status'}, text);
}

async function copyText(text) {
  if (navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Clipboard permission denied: fall back to the selection-based copy below.
    }
  }
  const scratch = h('textarea', {class: 'visually-hidden', readonly: true, 'aria-hidden': 'true'});
  scratch.value = text;
  document.body.append(scratch);
  scratch.select();
  const copied = document.execCommand('copy');
  scratch.remove();
  return copied;
}

// A "Copy" button for a draft; the outcome is announced in `statusRegion`.
export function copyButton(label, getText, statusRegion) {
  return h('button', {
    type: 'button',
    class: 'secondary small',
    'aria-label': `Copy ${label}`,
    onclick: async () => {
      const copied = await copyText(getText());
      announce(statusRegion, copied ? `${label} copied to the clipboard` : `Could not copy ${label}`);
    },
  }, 'Copy');
}
