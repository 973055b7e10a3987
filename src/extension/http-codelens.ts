// "Load test this request" above each request of a REST Client file (`.http`, `.rest`): the command
// writes the request's scenario beside the file (`<file>-<request>.perf.yaml`, never over another
// file), opens it, and says what was left out (secrets) — with a Run button in a trusted workspace.
// The conversion is src/http-file/'s, the same as `perflab import http`.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { scenarioErrorText } from '../engine/scenario/load';
import { conversionMessages, convertHttpText, HTTP_FILE_GLOB, isHttpFile, writeScenarioBeside } from '../http-file/http-file';
import { parseHttpFile } from '../http-file/parse';

export const LOAD_TEST_HTTP_REQUEST = 'perflab.loadTestHttpRequest';

export function registerHttpFile(output: vscode.OutputChannel): vscode.Disposable[] {
  return [
    vscode.languages.registerCodeLensProvider({ pattern: HTTP_FILE_GLOB }, new HttpRequestCodeLens()),
    vscode.commands.registerCommand(LOAD_TEST_HTTP_REQUEST, (uri?: unknown, index?: unknown) => loadTestRequest(output, uri, index)),
  ];
}

class HttpRequestCodeLens implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    return parseHttpFile(document.getText()).requests.map(
      (r) =>
        new vscode.CodeLens(new vscode.Range(r.line - 1, 0, r.line - 1, 0), {
          title: 'Load test this request',
          tooltip: `Write a scenario that load-tests ${r.method} request ${r.index} and open it`,
          command: LOAD_TEST_HTTP_REQUEST,
          arguments: [document.uri, r.index],
        }),
    );
  }
}

/** Returns the scenario file written, or undefined when nothing was written. Arguments: the file and
 *  the request's number (the CodeLens); none: the active editor's request at the cursor. */
async function loadTestRequest(output: vscode.OutputChannel, uriArg: unknown, indexArg: unknown): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  const uri = uriArg instanceof vscode.Uri ? uriArg : editor?.document.uri;
  if (!uri || !isHttpFile(uri.fsPath)) {
    void vscode.window.showInformationMessage('LLM Perf Lab: open a .http or .rest file and put the cursor in a request to load-test it.');
    return undefined;
  }
  const document = await vscode.workspace.openTextDocument(uri);
  if (document.isUntitled || uri.scheme !== 'file') {
    void vscode.window.showWarningMessage('LLM Perf Lab: save the file first: the scenario is written beside it.');
    return undefined;
  }
  const index = typeof indexArg === 'number' ? indexArg : requestAtCursor(document, editor);
  let written: string;
  let messages: string[];
  let label: string;
  try {
    const conversion = convertHttpText(document.getText(), uri.fsPath, index);
    written = writeScenarioBeside(uri.fsPath, conversion);
    messages = conversionMessages(conversion);
    label = conversion.request.label;
  } catch (error) {
    const message = scenarioErrorText(error);
    output.appendLine(`Load test this request: nothing written.\n${message}`);
    void vscode.window.showErrorMessage(`LLM Perf Lab: cannot load-test this request — ${message.split('\n')[0]}`);
    return undefined;
  }
  output.appendLine(`Wrote ${written} from request "${label}" of ${uri.fsPath}${messages.map((m) => `\n  ${m}`).join('')}`);
  await vscode.window.showTextDocument(vscode.Uri.file(written), { preview: false });

  const name = path.basename(written);
  const said = messages.length > 0 ? ` ${messages.map((m) => `${m[0].toUpperCase()}${m.slice(1)}.`).join(' ')}` : '';
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showInformationMessage(`LLM Perf Lab: wrote ${name}.${said} This workspace is not trusted: trust it to run the scenario.`);
    return written;
  }
  void vscode.window
    .showInformationMessage(`LLM Perf Lab: wrote ${name}.${said} Check its response: section; Run Scenario runs it.`, 'Run')
    .then((choice) => choice === 'Run' && vscode.commands.executeCommand('perflab.runScenario', vscode.Uri.file(written)));
  return written;
}

/** The number of the request whose block (from its `###` line) holds the cursor; the first one
 *  without an editor on this file. */
function requestAtCursor(document: vscode.TextDocument, editor: vscode.TextEditor | undefined): number | undefined {
  const requests = parseHttpFile(document.getText()).requests;
  if (requests.length === 0) return undefined;
  const cursor = editor?.document.uri.toString() === document.uri.toString() ? editor.selection.active.line + 1 : 0;
  const at = requests.filter((r) => r.blockLine <= cursor).pop() ?? requests[0];
  return at.index;
}
