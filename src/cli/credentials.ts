// Where the CLI finds keys: environment variables only (named in the scenario's `auth.env`, by
// --api-key-env, or the provider's usual variable). The key is attached to the one target it belongs
// to, so it is only ever sent to that target's endpoint. It is never printed or written.

import type { Credential } from '../engine/chat-request';
import type { Target } from '../engine/scenario/types';
import { credentialProblem, defaultKeyEnv } from '../engine/secrets';

export class CredentialError extends Error {}

export async function resolveCliCredential(target: Target, env: NodeJS.ProcessEnv = process.env): Promise<Credential | null> {
  const auth = target.auth;
  switch (auth.type) {
    case 'none':
      return null;
    case 'entra':
      throw new CredentialError(
        `target "${target.name}": Microsoft Entra ID sign-in is available in the VS Code extension; on the command line use ` +
          `auth: { type: bearer, env: AZURE_OPENAI_AD_TOKEN } with a token from ` +
          `\`az account get-access-token --resource https://cognitiveservices.azure.com\``,
      );
    case 'api-key':
    case 'bearer': {
      const name = auth.env ?? defaultKeyEnv(target.provider);
      if (name === undefined) {
        if (target.provider === 'http') {
          throw new CredentialError(
            `target "${target.name}": auth type ${auth.type} needs auth.env, the environment variable that holds the ${auth.type === 'bearer' ? 'token' : 'key'} (on the command line keys come only from the environment)`,
          );
        }
        return null;
      }
      const value = env[name];
      if (!value) {
        if (auth.env === undefined && target.provider === 'openai-compatible') return null;
        throw new CredentialError(
          `target "${target.name}": environment variable ${name} is not set (it should hold the ${auth.type === 'bearer' ? 'token' : 'API key'})`,
        );
      }
      const problem = credentialProblem(value);
      if (problem) throw new CredentialError(`target "${target.name}": environment variable ${name} ${problem}`);
      return { header: auth.type === 'bearer' ? 'authorization' : 'api-key', value };
    }
  }
}
