// Resolves the credential for a target inside VS Code: a key saved in SecretStorage for exactly this
// endpoint origin + deployment, an approved environment variable, or a Microsoft Entra ID token from
// VS Code's built-in Microsoft authentication provider. Asks the user when nothing fits. Keys are never
// logged, written to settings or files, or shown.

import * as vscode from 'vscode';
import type { Credential } from '../engine/chat-request';
import type { Target } from '../engine/scenario/types';
import { describeBinding, KeyBindingError, KeyStore, keyBindingOf } from './key-binding';

export const ENTRA_SCOPE = 'https://cognitiveservices.azure.com/.default';

export class CredentialService {
  readonly keys: KeyStore;

  constructor(secrets: vscode.SecretStorage) {
    this.keys = new KeyStore(secrets);
  }

  async resolve(target: Target): Promise<Credential | null> {
    const auth = target.auth;
    if (auth.type === 'none') return null;
    if (auth.type === 'entra') {
      const session = await vscode.authentication.getSession('microsoft', [ENTRA_SCOPE], { createIfNone: true });
      return { header: 'authorization', value: session.accessToken };
    }
    // Which kind of key, not the header's name: the engine sends an http target's api-key in `auth.header`.
    const header = auth.type === 'bearer' ? 'authorization' : 'api-key';
    const found = await this.keys.resolve(target);
    if ('value' in found) return { header, value: found.value };
    // No origin to bind a key to (key-binding.ts says why): nothing to ask for.
    if (found.binding === undefined) throw new Error(found.reason);
    if (found.needsApproval) {
      const where = describeBinding(keyBindingOf(target));
      const choice = await vscode.window.showWarningMessage(
        `Send the value of environment variable ${found.needsApproval} as the key for ${where}?`,
        {
          modal: true,
          detail: 'LLM Perf Lab sends a key only to the endpoint and deployment you allow it for. You will be asked again if the endpoint changes.',
        },
        'Allow',
      );
      if (choice === 'Allow') {
        await this.keys.approveEnv(target);
        const approved = await this.keys.resolve(target);
        if ('value' in approved) return { header, value: approved.value };
      }
      throw new Error(`target "${target.name}": ${found.reason}`);
    }
    const key = await this.promptForKey(target);
    if (!key) throw new Error(`target "${target.name}": ${found.reason}; run "LLM Perf Lab: Set API Key…"`);
    return { header, value: key };
  }

  /** Ask for a key and save it bound to the target's origin + deployment. */
  async promptForKey(target: Target): Promise<string | undefined> {
    let where: string;
    try {
      where = describeBinding(keyBindingOf(target));
    } catch (error) {
      if (!(error instanceof KeyBindingError)) throw error;
      void vscode.window.showErrorMessage(`LLM Perf Lab: target "${target.name}": ${error.message}`);
      return undefined;
    }
    const key = await vscode.window.showInputBox({
      title: `API key for ${where}`,
      prompt: `Saved in VS Code's secret storage and sent only to ${where}.`,
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() === '' ? 'Paste the key' : /\s/.test(v.trim()) ? 'Paste only the key (no spaces)' : undefined),
    });
    if (!key) return undefined;
    await this.keys.set(target, key);
    return key.trim();
  }
}
