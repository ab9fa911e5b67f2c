// Number inputs for the thresholds of a rules file (config/scoring.yaml's layout): the level
// boundaries and each tier's `min` / `max`. An input edits only that number in its line of the
// YAML text, so comments, order and everything else the analyst wrote stay as they are.
import {h} from './dom.js';

const LEVEL_LINE = /^(\s*)(high_min|medium_min):(\s*)(-?\d+(?:\.\d+)?)/;
const RULE_LINE = /^\s*-\s*id:\s*([\w.-]+)/;
const TIER_LINE = /\{\s*id:\s*([\w.-]+)\s*,\s*(min|max):(\s*)(-?\d+(?:\.\d+)?)/;

// The thresholds found in `text`: [{line, label, value, key}] in file order.
export function findThresholds(text) {
  const found = [];
  let rule = '';
  text.split('\n').forEach((line, index) => {
    const level = LEVEL_LINE.exec(line);
    if (level) {
      found.push({line: index, key: level[2], label: `Level ${level[2] === 'high_min' ? 'High' : 'Medium'} from score`,
                  value: level[4]});
      return;
    }
    const ruleMatch = RULE_LINE.exec(line);
    if (ruleMatch && !line.includes('{')) rule = ruleMatch[1];
    const tier = TIER_LINE.exec(line);
    if (tier) {
      found.push({line: index, key: tier[2], label: `${rule} / ${tier[1]} ${tier[2] === 'min' ? '≥' : '≤'}`,
                  value: tier[4]});
    }
  });
  return found;
}

// `text` with the threshold of line `line` set to `value` (a number as typed).
export function setThreshold(text, line, value) {
  const lines = text.split('\n');
  const pattern = LEVEL_LINE.test(lines[line]) ? LEVEL_LINE : TIER_LINE;
  lines[line] = lines[line].replace(pattern, (match, ...groups) => {
    const number = groups[3];
    return match.slice(0, match.length - number.length) + value;
  });
  return lines.join('\n');
}

// One labelled input per threshold of `text`; `onChange(nextText)` gets the whole new text,
// computed from `currentText()` at the time of the edit.
export function thresholdFields(text, onChange, currentText = () => text) {
  return findThresholds(text).map((threshold, index) => {
    const id = `threshold-${index}`;
    const input = h('input', {
      id, type: 'number', step: 'any', value: threshold.value, 'data-threshold': threshold.label,
      onchange: () => {
        if (input.value.trim() === '' || !Number.isFinite(Number(input.value))) return;
        onChange(setThreshold(currentText(), threshold.line, input.value.trim()));
      },
    });
    return h('div', {class: 'threshold-field'}, h('label', {for: id}, threshold.label), input);
  });
}
