// Steps of the "keys" suite (keys-ui.ts) for the commands that ask in a modal dialog or start from a
// menu outside the palette, through the workbench as a person uses them: Delete Run (the tree's
// context menu, then the dialog), Estimate Load… (its inputs, the dialog with the arithmetic and the
// sessions, then the scenario to write into) and Dataset from CSV… (the Explorer's context menu on a .csv file).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { parseDocument } from 'yaml';
import { estimateLoad, planSessions } from '../../src/extension/load-estimator';
import { countChatTokens } from '../../src/tokens';
import type { RunFolders } from './run-folders';
import type { UiStep } from './ui-steps';
import { answerDialog, answerInput, dialogText, pickItem, runCommand, runContextMenu, waitUntil } from './ui';

const ESTIMATE_SCENARIO = `name: estimate
targets:
  - { name: sim, provider: simulator, endpoint: simulator, model: gpt-4o-mini, auth: { type: none } }
workload:
  rate: 60   # requests per minute
  duration: 10s
`;

const CSV = `id,question,team
1,How do I reset my password?,support
2,Why was I charged twice this month?,billing
3,How do I reset my password?,support
4,,support
5,"Can I export my invoices as CSV, or only as PDF?",billing
`;

export function modalCommandSteps(page: Page, workspace: string, runs: RunFolders): UiStep[] {
  return [
    {
      name: 'Delete Run from the tree asks first, then deletes the run folder and its row',
      run: async () => {
        await showPerfLabView(page);
        const row = page.locator('.monaco-list-row', { hasText: /p95 TTFT [\d,.]+ m?s/ }).first();
        await row.waitFor({ state: 'visible', timeout: 30_000 });
        // A run's row is labelled with the time it started: no other row has that label.
        const label = ((await row.locator('.label-name').first().textContent()) ?? '').trim();
        const dirsBefore = runs.list();
        await runContextMenu(page, row, 'Delete Run');
        const question = await dialogText(page);
        if (!question.includes('Delete this run and its result files?')) throw new Error(`the dialog says "${question}"`);
        await answerDialog(page, 'Delete');
        // The answer travels browser → server → extension host before the folder goes: wait for it.
        const gone = () => dirsBefore.filter((d) => !fs.existsSync(d));
        await waitUntil(async () => gone().length > 0, 20_000, 'a run folder is deleted');
        if (gone().length !== 1) throw new Error(`${gone().length} run folders were deleted (${gone().join(', ')})`);
        await waitUntil(
          async () => (await page.locator('.monaco-list-row .label-name', { hasText: label }).count()) === 0,
          20_000,
          `the row of the deleted run (${label}) is gone from the tree`,
        );
      },
    },
    {
      name: 'Estimate Load… shows the arithmetic in a dialog and writes the rate and the sessions into the scenario picked',
      run: async () => {
        const file = path.join(workspace, 'estimate.perf.yaml');
        fs.writeFileSync(file, ESTIMATE_SCENARIO);
        const expected = estimateLoad({ users: 20_000, activeShare: 0.1, sessionsPerUser: 1, interactionsPerSession: 3, peakHours: 2, headroom: 0.1 });
        // Half a minute, typed in minutes: written as the scenario writes durations (30s).
        const sessions = planSessions(expected, '0.5m');
        await runCommand(page, 'LLM Perf Lab: Estimate Load…');
        await answerInput(page, /^Estimate Load: total users/, '20,000');
        await answerInput(page, /^Estimate Load: share active/, '10%');
        await answerInput(page, /^Estimate Load: sessions per active user/, '1');
        await answerInput(page, /^Estimate Load: interactions per session/, '3');
        await answerInput(page, /^Estimate Load: length of the peak period/, '2');
        await answerInput(page, /^Estimate Load: headroom/, '10%');
        await answerInput(page, /^Estimate Load: think time/, '0.5m');
        const shown = await dialogText(page);
        for (const part of [`Estimated ${expected.suggestedRate} RPM`, ...expected.explanation, ...sessions.explanation]) {
          if (!shown.includes(part)) throw new Error(`the dialog does not say "${part}": ${shown}`);
        }
        await answerDialog(page, 'Write into a Scenario…');
        await pickItem(page, new RegExp(`write ${expected.suggestedRate} RPM into which scenario`), 'estimate.perf.yaml');
        await waitUntil(
          async () => /^ {2}rate: (\S+)/m.exec(fs.readFileSync(file, 'utf8'))?.[1] === String(expected.suggestedRate),
          20_000,
          `rate: ${expected.suggestedRate} written`,
        );
        const written = fs.readFileSync(file, 'utf8');
        if (!written.includes('# requests per minute')) throw new Error('the comment beside the rate was lost');
        const got = JSON.stringify(parseDocument(written).getIn(['workload', 'sessions']));
        const want = JSON.stringify({ interactions: 3, think_time: '30s', carry_history: true });
        if (got !== want) throw new Error(`workload.sessions is ${got}, expected ${want}:\n${written}`);
        if (!written.includes('  duration: 10s\n')) throw new Error(`the rest of workload changed:\n${written}`);
      },
    },
    {
      name: 'Dataset from CSV… from the Explorer: the column and model picked, one line per distinct question',
      run: async () => {
        const csv = path.join(workspace, 'questions.csv');
        fs.writeFileSync(csv, CSV);
        await runCommand(page, 'View: Show Explorer');
        const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^questions\.csv$/ }).first();
        await row.waitFor({ state: 'visible', timeout: 30_000 });
        await runContextMenu(page, row, 'Dataset from CSV…');
        await pickItem(page, /^Dataset from CSV \(1\/2\)/, 'question');
        await pickItem(page, /^Dataset from CSV \(2\/2\)/, 'gpt-4o');
        const out = path.join(workspace, 'questions.jsonl');
        await waitUntil(async () => fs.existsSync(out), 20_000, 'questions.jsonl written');
        const lines = fs
          .readFileSync(out, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { messages: { role: 'user'; content: string }[]; prompt_tokens: number });
        const expected = ['How do I reset my password?', 'Why was I charged twice this month?', 'Can I export my invoices as CSV, or only as PDF?'];
        const got = lines.map((l) => l.messages.at(-1)!.content);
        if (JSON.stringify(got) !== JSON.stringify(expected)) throw new Error(`the dataset holds ${JSON.stringify(got)}`);
        for (const l of lines) {
          const tokens = countChatTokens(l.messages, 'o200k_base').total;
          if (l.prompt_tokens !== tokens) throw new Error(`"${l.messages.at(-1)!.content}": prompt_tokens ${l.prompt_tokens}, the tokenizer says ${tokens}`);
        }
      },
    },
  ];
}

/** Opens the LLM Perf Lab view from the activity bar (a click on it while it shows would hide it). */
async function showPerfLabView(page: Page): Promise<void> {
  const entry = page.locator('.activitybar .action-item', { has: page.locator('[aria-label="LLM Perf Lab"]') }).first();
  if (!(await entry.getAttribute('class'))?.split(' ').includes('checked')) await entry.click({ timeout: 20_000 });
}
