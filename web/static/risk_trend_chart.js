// The customer brief's risk trend: an SVG line chart of the risk score over the snapshots of the
// risk history, built with createElementNS and text nodes only (no markup strings). Each point
// is coloured by the level it had then, so the chart needs no level thresholds of its own.
import {riskLevelName, toNumber} from './format.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 560;
const HEIGHT = 200;
const MARGIN = {
  top: 12,
  right: 16,
  bottom: 28,
  left: 36
};
const MAX_SCORE = 100;

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function dayNumber(date) {
  return Date.parse(`${date}T00:00:00Z`) / 86400000;
}

// `points`: RiskTrendPoint messages ({date, risk_score, risk_level, fired_rules}), oldest first.
export function riskTrendChart(points) {
  const data = points.map((point) => ({
                            date: point.date,
                            day: dayNumber(point.date),
                            score: toNumber(point.risk_score),
                            level: riskLevelName(point.risk_level),
                            rules: point.fired_rules ?? [],
                          }));
  const first = data[0];
  const last = data[data.length - 1];
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const span = Math.max(1, last.day - first.day);
  const x = (day) =>
      MARGIN.left + (data.length === 1 ? plotWidth / 2 : ((day - first.day) / span) * plotWidth);
  const y = (score) =>
      MARGIN.top + (1 - Math.min(MAX_SCORE, Math.max(0, score)) / MAX_SCORE) * plotHeight;

  const summary = data.length === 1 ?
      `Risk score ${first.score} on ${first.date}; no earlier snapshot.` :
      `Risk score from ${first.score} on ${first.date} to ${last.score} on ${last.date}, ${
          data.length} snapshots.`;
  const chart = svg('svg', {
    class: 'trend-chart',
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    'aria-label': summary,
    'data-testid': 'risk-trend-chart',
    preserveAspectRatio: 'xMidYMid meet',
  });
  chart.append(svg('title', {}, summary));

  for (const tick of [0, 25, 50, 75, 100]) {
    chart.append(
        svg('line', {
          class: 'trend-grid',
          x1: MARGIN.left,
          x2: WIDTH - MARGIN.right,
          y1: y(tick),
          y2: y(tick)
        }),
        svg('text', {class: 'trend-axis', x: MARGIN.left - 6, y: y(tick) + 4, 'text-anchor': 'end'},
            tick));
  }
  chart.append(
      svg('text', {
        class: 'trend-axis',
        x: x(first.day),
        y: HEIGHT - 8,
        'text-anchor': data.length === 1 ? 'middle' : 'start'
      },
          first.date),
      data.length > 1 ?
          svg('text', {class: 'trend-axis', x: x(last.day), y: HEIGHT - 8, 'text-anchor': 'end'},
              last.date) :
          null);

  if (data.length > 1) {
    const path = data.map(
        (point, i) =>
            `${i === 0 ? 'M' : 'L'}${x(point.day).toFixed(1)},${y(point.score).toFixed(1)}`);
    chart.append(svg('path', {class: 'trend-line', d: path.join(' '), fill: 'none'}));
  }
  for (const point of data) {
    const rules = point.rules.length ? point.rules.join(', ') : 'no rule fired';
    chart.append(
        svg('circle', {
          class: `trend-point risk-${point.level.toLowerCase()}`,
          cx: x(point.day).toFixed(1),
          cy: y(point.score).toFixed(1),
          r: 4,
          'data-date': point.date,
          'data-score': point.score,
        },
            svg('title', {}, `${point.date}: ${point.score} (${point.level}); ${rules}`)));
  }
  return chart;
}
