// Runs a command as a test would through `vscode.commands.executeCommand`, and records it as run
// (command-log.ts: run-all.ts checks that every contributed command ran in some suite).

import * as vscode from 'vscode';
import { recordCommand } from '../command-log';

export async function execute<T = unknown>(id: string, ...args: unknown[]): Promise<T> {
  const result = await vscode.commands.executeCommand<T>(id, ...args);
  recordCommand(id);
  return result;
}
