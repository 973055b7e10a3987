// Runs validateScenarioText for fuzz.test.ts in a worker thread, one case per message, so the test
// can stop a case that hangs (a synchronous loop cannot be interrupted in the test's own thread).

import { parentPort } from 'node:worker_threads';
import { validateScenarioText } from '../../../src/engine/scenario/validate';

export interface FuzzRequest {
  text: string;
  fileName: string;
}

export type FuzzReply = { problems: ReturnType<typeof validateScenarioText>['problems']; valid: boolean } | { threw: string };

parentPort!.on('message', ({ text, fileName }: FuzzRequest) => {
  let reply: FuzzReply;
  try {
    const result = validateScenarioText(text, fileName);
    reply = { problems: result.problems, valid: result.scenario !== undefined };
  } catch (err) {
    reply = { threw: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  parentPort!.postMessage(reply);
});
