// The Entra token the CLI fetches Azure Monitor metrics with: from PERFLAB_AZURE_TOKEN when set, else
// from the Azure CLI (`az account get-access-token --resource <ARM endpoint>`), for the ARM endpoint
// of the scenario's cloud. The token is handed to the ARM client only (src/engine/server-metrics/
// arm-client.ts), never printed or written.

import { execFile } from 'node:child_process';
import type { TokenProvider } from '../engine/server-metrics/arm-client';
import { credentialProblem } from '../engine/secrets';

export const AZURE_TOKEN_ENV = 'PERFLAB_AZURE_TOKEN';

export function cliAzureTokenProvider(env: NodeJS.ProcessEnv = process.env): TokenProvider {
  return async (armEndpoint) => {
    const fromEnv = env[AZURE_TOKEN_ENV];
    if (fromEnv) {
      const problem = credentialProblem(fromEnv);
      if (problem) throw new Error(`${AZURE_TOKEN_ENV} ${problem}`);
      return fromEnv;
    }
    return azCliToken(armEndpoint);
  };
}

function azCliToken(armEndpoint: string): Promise<string> {
  const args = ['account', 'get-access-token', '--resource', armEndpoint, '--query', 'accessToken', '-o', 'tsv'];
  const hint = `set ${AZURE_TOKEN_ENV} to a token from \`az account get-access-token --resource ${armEndpoint} --query accessToken -o tsv\``;
  return new Promise((resolve, reject) => {
    // az is az.cmd on Windows, which only a shell runs; the arguments are fixed, none comes from the user.
    execFile('az', args, { timeout: 60_000, shell: process.platform === 'win32', windowsHide: true }, (err, stdout, stderr) => {
      if (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT')
          reject(new Error(`the Azure CLI (az) is not installed: install it and run \`az login\`, or ${hint}`));
        else reject(new Error(`az account get-access-token failed (${firstLine(String(stderr)) || err.message}) — run \`az login\`, or ${hint}`));
        return;
      }
      const token = String(stdout).trim();
      if (!token) reject(new Error(`az account get-access-token printed no token — run \`az login\`, or ${hint}`));
      else resolve(token);
    });
  });
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() ?? '';
}
