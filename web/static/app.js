// The dashboard shell: tabs (kept in the URL hash), the freshness strip, the refresh button and
// who is signed in. Each view loads its data when its tab is shown.
import {getJson, postJson} from './api.js';
import {AtRiskView} from './at_risk_view.js';
import {DataSetsView} from './data_sets_view.js';
import {announce} from './dom.js';
import {DriversView} from './drivers_view.js';
import {ExecutiveView} from './executive_view.js';
import {FreshnessBanner} from './freshness.js';
import {ModelQualityView} from './model_quality_view.js';
import {SESSION_PATH, onSessionChange, setSession, signInOpen, signOut} from './session.js';
import {TicketAnalyzerView} from './ticket_analyzer_view.js';

const freshness = new FreshnessBanner(document.getElementById('freshness'), document.getElementById('stale-banner'));
const context = {onFreshness: (value) => freshness.update(value)};

const views = {
  executive: new ExecutiveView(document.getElementById('panel-executive'), context),
  drivers: new DriversView(document.getElementById('panel-drivers'), context),
  'at-risk': new AtRiskView(document.getElementById('panel-at-risk'), context),
  tickets: new TicketAnalyzerView(document.getElementById('panel-tickets'), context),
  'model-quality': new ModelQualityView(document.getElementById('panel-model-quality'), context),
  'data-sets': new DataSetsView(document.getElementById('panel-data-sets'), context),
};
const tabs = [...document.querySelectorAll('[role="tab"]')];
let currentView = null;

function viewFromHash() {
  const name = location.hash.replace(/^#/, '');
  return name in views ? name : 'executive';
}

function showView(name, {focusTab = false} = {}) {
  for (const tab of tabs) {
    const selected = tab.dataset.view === name;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    document.getElementById(tab.getAttribute('aria-controls')).hidden = !selected;
    if (selected && focusTab) tab.focus();
  }
  currentView = name;
  document.title = `${tabs.find((tab) => tab.dataset.view === name).textContent} · Churn early warning`;
  views[name].load();
}

// Tabs follow the WAI-ARIA pattern: arrows move between tabs, Home/End jump.
for (const tab of tabs) {
  tab.addEventListener('click', () => {
    if (location.hash !== `#${tab.dataset.view}`) location.hash = tab.dataset.view;
    else showView(tab.dataset.view);
  });
  tab.addEventListener('keydown', (event) => {
    const index = tabs.indexOf(tab);
    const moves = {ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1};
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = tabs[(moves[event.key] + tabs.length) % tabs.length];
    history.replaceState(null, '', `#${next.dataset.view}`);
    showView(next.dataset.view, {focusTab: true});
  });
}
window.addEventListener('hashchange', () => showView(viewFromHash()));

const refreshButton = document.getElementById('refresh-button');
const refreshStatus = document.getElementById('refresh-status');
// Re-reading the data folder is an admin's call; a CSM's refresh pulls the latest snapshot.
let reloadData = true;
refreshButton.addEventListener('click', async () => {
  refreshButton.disabled = true;
  refreshStatus.textContent = 'Refreshing…';
  try {
    const result = await postJson('/api/v1/refresh', {reload_data: reloadData}, {timeoutMs: 60000});
    context.onFreshness(result.freshness);
    announce(refreshStatus, result.changed ? 'New data loaded.' : 'Already up to date.');
    views[currentView].load();
  } catch (error) {
    refreshStatus.textContent = `Refresh failed: ${error.message}`;
  } finally {
    refreshButton.disabled = false;
  }
});

// Who is signed in, in the header, and only the actions the role may take (the refresh button
// starts hidden: behind the sign-in prompt nobody knows yet whether it may be used).
const sessionInfo = document.getElementById('session-info');
const signOutButton = document.getElementById('sign-out-button');
signOutButton.addEventListener('click', () => signOut());
onSessionChange((session) => {
  sessionInfo.hidden = false;
  if (session.auth_required) {
    sessionInfo.textContent = `${session.name} · ${session.role}`;
    sessionInfo.title = `Signed in as ${session.name} (role ${session.role})`;
  } else {
    sessionInfo.textContent = 'Open access';
    sessionInfo.title = 'The gateway runs without tokens: anyone who reaches it may do everything.';
  }
  signOutButton.hidden = !session.auth_required;
  refreshButton.hidden = !session.can_refresh;
  reloadData = Boolean(session.can_reload_data);
  refreshButton.title = reloadData ? 'Re-read the data folder and rebuild the views'
                                   : 'Fetch the latest snapshot (re-reading the data folder needs an admin token)';
});

// The views load on demand; the freshness strip is kept current in the background, so a page
// left open still tells when its data goes stale or the gateway stops answering.
const FRESHNESS_POLL_MS = 30000;
setInterval(async () => {
  if (document.hidden || signInOpen()) return;
  try {
    const executive = await getJson('/api/v1/executive', {timeoutMs: 10000});
    context.onFreshness(executive.freshness);
  } catch (error) {
    freshness.showUnreachable(error.message);
  }
}, FRESHNESS_POLL_MS);

// Who is asking comes first (a 401 here opens the sign-in prompt), so the views load with a
// token and the actions the role may not take are hidden before they are drawn. A gateway
// that cannot say leaves every action visible: the server still decides.
try {
  setSession(await getJson(SESSION_PATH));
} catch (error) {
  refreshButton.hidden = false;
  refreshStatus.textContent = `Could not ask the gateway who you are: ${error.message}`;
}
showView(viewFromHash());
