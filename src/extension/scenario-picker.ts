// Which scenario file a command acts on: the one it was given (a Uri, a tree node), else one the user
// picks from the workspace — the active editor's file first.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { SCENARIO_GLOB } from '../engine/scenario/files';
import { isScenarioNode, isTargetNode } from './scenario-tree';

export interface ScenarioPickOptions {
  title: string;
  placeHolder?: string;
  /** Called when the workspace has no scenario file (say so, offer what to do). */
  whenNone: () => unknown;
  /** Return the only scenario without asking (default false: always show the pick). */
  skipPickWhenOne?: boolean;
}

export async function scenarioFileFrom(arg: unknown, options: ScenarioPickOptions): Promise<string | undefined> {
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (isScenarioNode(arg)) return arg.file;
  if (isTargetNode(arg)) return arg.scenarioFile;
  const active = vscode.window.activeTextEditor?.document.uri;
  const files = await vscode.workspace.findFiles(SCENARIO_GLOB, '**/node_modules/**');
  if (files.length === 0) {
    await options.whenNone();
    return undefined;
  }
  if (files.length === 1 && options.skipPickWhenOne) return files[0].fsPath;
  const items = files
    .map((uri) => ({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(uri), uri }))
    .sort((a, b) => Number(b.uri.fsPath === active?.fsPath) - Number(a.uri.fsPath === active?.fsPath) || a.description.localeCompare(b.description));
  const pick = await vscode.window.showQuickPick(items, { title: options.title, placeHolder: options.placeHolder });
  return pick?.uri.fsPath;
}
