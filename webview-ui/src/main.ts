// Entry point of the webview bundle (dist/webview/webview.js). The same script draws the Run panel,
// the Compare panel, the Capacity panel and the self-contained HTML report; which one depends on the
// first message.

import { CapacityView } from './capacity-view';
import { refreshTheme } from './charts';
import { renderCompare } from './compare-view';
import { h } from './dom';
import { connectHost } from './host';
import { RunView } from './run-view';

const host = connectHost();
const root = document.getElementById('root') ?? document.body;
let runView: RunView | null = null;
let capacityView: CapacityView | null = null;
/** Frees the current view's charts before the next `init` (a reopened run) replaces it. */
let disposeView: () => void = () => undefined;

host.onMessage((message) => {
  try {
    switch (message.type) {
      case 'init':
        disposeView();
        capacityView = null;
        runView = new RunView(host, message, root);
        disposeView = () => runView?.dispose();
        break;
      case 'compareInit':
        disposeView();
        runView = capacityView = null;
        disposeView = renderCompare(host, message, root);
        break;
      case 'capacityInit':
        disposeView();
        runView = null;
        capacityView = new CapacityView(host, message, root);
        disposeView = () => capacityView?.dispose();
        break;
      case 'capacityUpdate':
        capacityView?.update(message);
        break;
      case 'theme':
        themeChanged();
        break;
      default:
        runView?.handle(message);
    }
  } catch (error) {
    root.replaceChildren(
      h('p', { class: 'error', role: 'alert' }, `The panel could not draw this run: ${error instanceof Error ? error.message : String(error)}`),
    );
    throw error;
  }
});

/** Chart colours are not CSS: re-read them (the capacity charts keep their own colours by meaning). */
function themeChanged(): void {
  refreshTheme();
  capacityView?.repaint();
}

// VS Code switches theme by changing the body's class; chart colours are not CSS, so re-read them.
new MutationObserver(() => themeChanged()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
// The verdict colours the stylesheet uses come from the same palette: set them before the first view.
refreshTheme();

host.post({ type: 'ready' });
