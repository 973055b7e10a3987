// The files the extension serves, in one place: the language client registers for them
// (language-client.ts) and package.json's `activationEvents` start the extension for them
// (test/unit/extension/activation.test.ts checks that the two agree). Pure: no 'vscode'.

import { SCENARIO_GLOB } from '../engine/scenario/files';

/** Prompt files the language server analyses (Markdown only as `*.prompt.md`, never every `.md`). */
export const PROMPT_PATTERNS = ['**/*.prompty', '**/*.jsonl', '**/*.prompt.md'];

/** Instruction files, analysed only with `perflab.promptFiles.instructionFiles` (off by default): the
 *  extension does not start for them; it is already running for the workspace's other files or view. */
export const INSTRUCTION_PATTERNS = ['**/.github/copilot-instructions.md', '**/AGENTS.md', '**/*.instructions.md'];

/** Scenario files: the one glob of src/engine/scenario/files.ts. */
export const SCENARIO_PATTERN = SCENARIO_GLOB;
