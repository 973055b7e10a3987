// The panel suite has two halves that run at the same time: the host side (inside VS Code's extension
// host: starts runs, opens panels) and the browser side (Playwright: reads and clicks the webviews).
// They take turns through marker files in the workspace's `.markers/` folder.

import * as fs from 'node:fs';
import * as path from 'node:path';

export function markerDir(workspace: string): string {
  return path.join(workspace, '.markers');
}

export function writeMarker(workspace: string, name: string, value: unknown = {}): void {
  fs.mkdirSync(markerDir(workspace), { recursive: true });
  const file = path.join(markerDir(workspace), `${name}.json`);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(value));
  fs.renameSync(`${file}.tmp`, file);
}

export async function waitForMarker<T>(workspace: string, name: string, timeoutMs: number): Promise<T> {
  const file = path.join(markerDir(workspace), `${name}.json`);
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for the other side's "${name}"`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}
