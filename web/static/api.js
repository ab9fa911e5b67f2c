// The gateway's JSON HTTP API, same origin. Every request has a deadline, so a stalled
// server shows an error instead of a page that waits forever.

import {h} from './dom.js';
import {authorizationHeaders, signInRequired, storedToken} from './session.js';

// The largest request body the gateway takes by default (its max_upload_bytes setting).
export const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;

export const DEFAULT_TIMEOUT_MS = 15000;

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

// Aborts when the caller aborts or when `timeoutMs` passes, whichever comes first.
function deadlineSignal(callerSignal, timeoutMs) {
  const controller = new AbortController();
  const timer = setTimeout(
      () => controller.abort(new DOMException(`no answer within ${Math.round(timeoutMs / 1000)} s`,
                                              'TimeoutError')),
      timeoutMs);
  const onCallerAbort = () => controller.abort(callerSignal.reason);
  if (callerSignal) {
    if (callerSignal.aborted) onCallerAbort();
    else callerSignal.addEventListener('abort', onCallerAbort, {once: true});
  }
  const release = () => {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', onCallerAbort);
  };
  return {signal: controller.signal, release};
}

// The gateway reports errors as JSON ({"error": ..., "message": ...}) or plain text.
async function errorFromResponse(response) {
  let detail = '';
  try {
    const text = await response.text();
    try {
      const body = JSON.parse(text);
      detail = body.message || body.error || text;
    } catch {
      detail = text;
    }
  } catch {
    // The body could not be read; the status alone has to do.
  }
  const summary = `${response.status} ${response.statusText}`.trim();
  return new ApiError(detail ? `${summary}: ${detail}` : summary, response.status);
}

function describeFailure(error) {
  if (error instanceof ApiError) return error;
  if (error?.name === 'TimeoutError') return new ApiError(`Request timed out (${error.message})`, 0);
  if (error?.name === 'AbortError') return error;  // the caller cancelled: not a failure to show
  if (error instanceof SyntaxError) return new ApiError(`Unreadable answer from the gateway (${error.message})`, 0);
  if (error instanceof TypeError) return new ApiError(`Cannot reach the gateway (${error.message})`, 0);
  return error;
}

// Sends a request and returns the Response once its status is OK (the body is still unread).
// `body` is sent as JSON; `rawBody` (a Blob or string, e.g. an uploaded CSV) as it is, with
// `contentType` (the gateway refuses a state-changing request without a JSON or CSV type).
// Every request carries the tab's bearer token; a 401 opens the sign-in prompt and the request
// is sent again with the token entered there. The deadline does not count the time the user
// spends in the prompt.
export async function request(path, {method = 'GET', body, rawBody, contentType, signal,
                                     timeoutMs = DEFAULT_TIMEOUT_MS} = {}) {
  for (;;) {
    const deadline = deadlineSignal(signal, timeoutMs);
    try {
      const token = storedToken();
      const init = {method, signal: deadline.signal,
                    headers: {Accept: 'application/json', ...authorizationHeaders(token)}};
      if (rawBody !== undefined) {
        init.body = rawBody;
        init.headers['Content-Type'] = contentType || 'application/octet-stream';
      } else if (body !== undefined) {
        init.body = JSON.stringify(body);
        init.headers['Content-Type'] = 'application/json';
      }
      const response = await fetch(path, init);
      if (response.status === 401) {
        deadline.release();
        response.body?.cancel().catch(() => {});
        await signInRequired({rejectedToken: token, signal});
        continue;
      }
      if (!response.ok) throw await errorFromResponse(response);
      return {response, release: deadline.release, signal: deadline.signal};
    } catch (error) {
      deadline.release();
      throw describeFailure(error);
    }
  }
}

export async function getJson(path, options = {}) {
  const {response, release} = await request(path, options);
  try {
    return await response.json();
  } catch (error) {
    throw describeFailure(error);
  } finally {
    release();
  }
}

export function postJson(path, body, options = {}) {
  return getJson(path, {...options, method: 'POST', body: body ?? {}});
}

// Fetches a file (e.g. a CSV export) with the tab's token and hands it to the browser as a
// download named `fileName`: a plain link would go without the Authorization header.
export async function downloadFile(path, fileName, options = {}) {
  const {response, release} = await request(path, options);
  let blob;
  try {
    blob = await response.blob();
  } catch (error) {
    throw describeFailure(error);
  } finally {
    release();
  }
  const url = URL.createObjectURL(blob);
  const link = h('a', {href: url, download: fileName, hidden: true});
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has taken the blob once the click is handled; keep it a little for slow disks.
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// Streams a newline-delimited JSON body, calling `onMessage` for every object as it arrives.
// The deadline covers the whole stream; the caller's signal cancels it. `options` may carry a
// `rawBody` instead of the JSON `body`.
export async function postNdjson(path, body, onMessage, options = {}) {
  const {response, release} = await request(path, {...options, method: 'POST', body});
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  const deliver = (line) => {
    const trimmed = line.trim();
    if (trimmed) onMessage(JSON.parse(trimmed));
  };
  try {
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      pending += decoder.decode(value, {stream: true});
      let newline;
      while ((newline = pending.indexOf('\n')) >= 0) {
        deliver(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
      }
    }
    deliver(pending + decoder.decode());
  } catch (error) {
    reader.cancel().catch(() => {});
    throw describeFailure(error);
  } finally {
    release();
  }
}

// Query string from an object; empty values and empty lists are left out.
export function queryString(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '' || value === false) continue;
    if (Array.isArray(value)) {
      if (value.length) search.set(key, value.join(','));
    } else {
      search.set(key, String(value));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
