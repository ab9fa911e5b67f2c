// Who is using the dashboard: the bearer token of this browser tab and what its role may do.
// The token lives in sessionStorage (gone when the tab closes, never sent anywhere but this
// origin's API); api.js adds it to every request and calls signInRequired() when the API
// answers 401. Capabilities come from GET /api/v1/session; the server enforces them, the page
// only hides what would be refused.
import {askForToken} from './sign_in_prompt.js';

const TOKEN_KEY = 'churn.api_token';
export const SESSION_PATH = '/api/v1/session';

let current = null;         // the last /api/v1/session answer
let currentKey = '';
let pendingSignIn = null;   // one prompt shared by every request that met a 401
const listeners = new Set();

export function storedToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';  // storage disabled: every request goes without a token and the prompt asks again
  }
}

function storeToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage disabled: the token is lost on the next 401, which only means another prompt.
  }
}

// Headers for a request made with `token` (the stored one by default).
export function authorizationHeaders(token = storedToken()) {
  return token ? {Authorization: `Bearer ${token}`} : {};
}

// The caller as the gateway sees it, or null before the first answer. Until then (or if the
// gateway could not say) every action stays visible and the server decides.
export function currentSession() {
  return current;
}

export function may(capability) {
  return current ? Boolean(current[capability]) : true;
}

export function setSession(session) {
  const key = JSON.stringify(session ?? null);
  if (key === currentKey) return;
  current = session ?? null;
  currentKey = key;
  for (const listener of listeners) listener(current);
}

// Calls `listener(session)` now (when known) and on every change; returns the unsubscribe.
export function onSessionChange(listener) {
  listeners.add(listener);
  if (current) listener(current);
  return () => listeners.delete(listener);
}

export function signInOpen() {
  return pendingSignIn !== null;
}

// Asks the gateway who `token` belongs to: the session, or null when it refuses the token.
async function checkToken(token) {
  const response = await fetch(SESSION_PATH, {
    headers: {Accept: 'application/json', ...authorizationHeaders(token)},
    signal: AbortSignal.timeout(15000),
  });
  if (response.status === 401) return null;
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}`.trim());
  return response.json();
}

// The API refused `rejectedToken` (401): forget it, show the prompt (once for all waiting
// requests) and resolve when the user entered a token the gateway accepts. Rejects with the
// caller's abort reason when `signal` aborts first; the prompt stays for the others.
export function signInRequired({rejectedToken = '', signal} = {}) {
  // Sent before another request's prompt stored a newer token: just try again with that one.
  if (storedToken() && storedToken() !== rejectedToken) return Promise.resolve();
  if (rejectedToken) storeToken('');
  if (!pendingSignIn) {
    const reason = rejectedToken
      ? 'The gateway no longer accepts the token of this tab. Enter a valid token to go on.'
      : 'The gateway asks who you are. Enter the access token your administrator gave you.';
    pendingSignIn = askForToken(reason, checkToken).then(({token, session}) => {
      storeToken(token);
      setSession(session);
    }).finally(() => {
      pendingSignIn = null;
    });
  }
  if (!signal) return pendingSignIn;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, {once: true});
    pendingSignIn.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

// Forgets the token and reloads, so nothing the previous caller saw stays on screen; the
// reloaded page meets a 401 and shows the prompt again.
export function signOut() {
  storeToken('');
  location.reload();
}
