// Where the panel's messages come from and go to: VS Code's webview API inside the editor, or the data
// embedded in a self-contained HTML report (no host: nothing to send, state kept in memory only).

import { isHostToWebview, type HostToWebview, type WebviewToHost } from '../../src/protocol/panel';

/** What the panel remembers across being hidden and shown again (VS Code's webview state). */
export interface PanelState {
  /** The run folder shown (the host reopens it after a window reload). */
  runId?: string;
  /** The Compare panel's run folders. */
  runIds?: string[];
  /** The Capacity panel's capacity folder (the host reopens it after a window reload). */
  capacityId?: string;
  target?: string;
  /** Chart ids whose data table is open. */
  tables?: string[];
}

export interface Host {
  post(message: WebviewToHost): void;
  getState(): PanelState;
  setState(state: PanelState): void;
  /** Calls `listener` for every well-formed message from the host. */
  onMessage(listener: (message: HostToWebview) => void): void;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** Inside VS Code. */
function vscodeHost(): Host {
  const api = acquireVsCodeApi();
  return {
    post: (message) => api.postMessage(message),
    getState: () => (api.getState() as PanelState | undefined) ?? {},
    setState: (state) => api.setState(state),
    onMessage(listener) {
      window.addEventListener('message', (event: MessageEvent) => {
        if (isHostToWebview(event.data)) listener(event.data);
      });
    },
  };
}

/** The HTML report: the messages are embedded as JSON in `<script type="application/json" id="perflab-data">`. */
function reportHost(): Host {
  let state: PanelState = {};
  return {
    post: () => undefined,
    getState: () => state,
    setState: (s) => {
      state = s;
    },
    onMessage(listener) {
      const element = document.getElementById('perflab-data');
      const data: unknown = element ? JSON.parse(element.textContent ?? 'null') : null;
      if (isHostToWebview(data)) queueMicrotask(() => listener(data));
      else throw new Error('this report carries no run data');
    },
  };
}

export function connectHost(): Host {
  return typeof acquireVsCodeApi === 'function' ? vscodeHost() : reportHost();
}
