// A minimal LSP client for tests: starts the real language server bundle (dist/server.js) over stdio,
// initializes it, and speaks the protocol — the same messages VS Code sends.

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type ProtocolConnection } from 'vscode-languageserver-protocol/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';

const ROOT = path.join(__dirname, '..', '..', '..');
export const SERVER = path.join(ROOT, 'dist', 'server.js');

/** Builds the bundles when dist/server.js is missing (npm test builds first anyway). */
export function ensureServerBuilt(): void {
  if (fs.existsSync(SERVER)) return;
  const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
  execFileSync(process.execPath, [path.join(ROOT, 'esbuild.mjs')], { cwd: ROOT, stdio: 'inherit' });
}

export class TestLspClient {
  readonly connection: ProtocolConnection;
  private readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  private readonly waiters: (() => void)[] = [];
  private versions = new Map<string, number>();

  private constructor(private readonly child: ChildProcess) {
    this.connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.diagnostics.set(p.uri, p);
      for (const w of this.waiters.splice(0)) w();
    });
    this.connection.onRequest('workspace/codeLens/refresh', () => null);
    this.connection.onRequest('workspace/inlayHint/refresh', () => null);
    this.connection.listen();
  }

  /** `nodeArgs`: options for the server's node (the benchmark profiles with `--cpu-prof`). */
  static async start(initializationOptions: object = {}, nodeArgs: readonly string[] = []): Promise<TestLspClient> {
    ensureServerBuilt();
    const child = spawn(process.execPath, [...nodeArgs, SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const client = new TestLspClient(child);
    await client.connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions });
    await client.connection.sendNotification('initialized', {});
    return client;
  }

  uri(file: string): string {
    return pathToFileURL(file).href;
  }

  async open(file: string, text: string, languageId = 'plaintext'): Promise<string> {
    const uri = this.uri(file);
    this.versions.set(uri, 1);
    this.diagnostics.delete(uri);
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
    return uri;
  }

  /** An incremental edit: replace the range with `text` (0-based positions). */
  async edit(uri: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }, text: string): Promise<void> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    this.diagnostics.delete(uri);
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text }] });
  }

  /** The diagnostics published for the document's current version. */
  async diagnosticsFor(uri: string, timeoutMs = 10_000): Promise<Diagnostic[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.diagnostics.get(uri)?.version !== this.versions.get(uri)) {
      if (Date.now() > deadline) throw new Error(`no diagnostics for ${uri} (version ${this.versions.get(uri)})`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
    return this.diagnostics.get(uri)!.diagnostics;
  }

  request<R>(method: string, params: object): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  async stop(): Promise<void> {
    await this.connection.sendRequest('shutdown').catch(() => undefined);
    await this.connection.sendNotification('exit').catch(() => undefined);
    this.connection.dispose();
    // The server exits on 'exit'; kill it only if it has not within a second.
    if (this.child.exitCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      const timer = setTimeout(() => this.child.kill(), 1000);
      await exited;
      clearTimeout(timer);
    }
  }
}
