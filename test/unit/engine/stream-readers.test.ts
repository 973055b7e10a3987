// The two stream readers on the shapes of docs/stream-shapes.md that the simulator does not produce:
// errors, refusals, tool calls, incomplete responses, usage riding on a content chunk, flat errors.

import { strict as assert } from 'node:assert';
import { readChatEvent } from '../../../src/engine/chat-stream';
import { readResponsesEvent } from '../../../src/engine/responses-stream';
import { emptyOutput } from '../../../src/engine/stream-output';

describe('stream readers', () => {
  it('chat: reasoning fields, refusals and tool calls; role chunks and annotations are not output', () => {
    const out = emptyOutput();
    const chunk = (delta: unknown, extra: Record<string, unknown> = {}) => ({ id: 'c1', choices: [{ index: 0, delta, finish_reason: null }], ...extra });
    let at = 0;
    const read = (c: unknown) => readChatEvent(null, c, ++at, out);
    read(chunk({ role: 'assistant', content: '' }));
    read({ id: '', choices: [{ index: 0, content_filter_offsets: { end_offset: 0 }, finish_reason: null }] }); // Azure annotation
    read(chunk({ reasoning: 'think' })); // Ollama, vLLM 0.16+
    read(chunk({ reasoning_content: ' more' })); // DeepSeek, older vLLM, LiteLLM
    read(chunk({ content: null, tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }] }));
    read(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }] }));
    read(chunk({ refusal: 'no' }));
    read(chunk({ reasoning: ' done', content: ' Yes' })); // one multi-token chunk across the switch: one event
    assert.equal(out.firstReasoningAt, 3);
    assert.equal(out.firstVisibleAt, 5);
    assert.equal(out.reasoningEvents, 3);
    assert.deepEqual(out.outputTimes, [3, 4, 5, 6, 7, 8]);
    assert.equal(out.reasoningText, 'think more done');
    assert.equal(out.text, 'f{"a":1}no Yes');
    assert.equal(out.responseId, 'c1');
  });

  it('chat: usage wherever it is non-null, the last one wins (continuous usage, LiteLLM)', () => {
    const out = emptyOutput();
    readChatEvent(null, { id: 'c', choices: [{ delta: { content: 'a' } }], usage: { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10 } }, 1, out);
    readChatEvent(null, { id: 'c', choices: [{ delta: { content: 'b' } }], usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 } }, 2, out);
    assert.deepEqual(out.usage, { prompt_tokens: 9, completion_tokens: 2, cached_tokens: null, reasoning_tokens: null });
    readChatEvent(
      null,
      {
        id: 'c',
        choices: [],
        usage: { prompt_tokens: 9, completion_tokens: 30, completion_tokens_details: { reasoning_tokens: 28 }, prompt_tokens_details: { cached_tokens: 4 } },
      },
      3,
      out,
    );
    assert.deepEqual(out.usage, { prompt_tokens: 9, completion_tokens: 30, cached_tokens: 4, reasoning_tokens: 28 });
  });

  it('chat: error objects mid-stream, including the flat {object:"error"} of older vLLM', () => {
    assert.deepEqual(readChatEvent(null, { error: { message: 'overloaded', type: 'server_error' } }, 1, emptyOutput()), {
      error: 'error event in stream: overloaded',
    });
    assert.deepEqual(readChatEvent(null, { object: 'error', message: 'bad', code: 400 }, 1, emptyOutput()), { error: 'error event in stream: bad' });
  });

  it('responses: created is not a token; reasoning and visible deltas; completed ends with usage', () => {
    const out = emptyOutput();
    assert.equal(readResponsesEvent('response.created', { type: 'response.created', response: { id: 'resp_1', status: 'in_progress' } }, 1, out), 'continue');
    readResponsesEvent(null, { type: 'response.reasoning_summary_text.delta', delta: 'hm' }, 2, out);
    readResponsesEvent(null, { type: 'response.reasoning_text.delta', delta: '' }, 3, out); // empty: nothing
    readResponsesEvent(null, { type: 'response.function_call_arguments.delta', delta: '{"x"' }, 4, out);
    readResponsesEvent(null, { type: 'response.output_text.delta', delta: 'Hi' }, 5, out);
    const end = readResponsesEvent(
      null,
      {
        type: 'response.completed',
        response: {
          id: 'resp_1',
          usage: { input_tokens: 7, output_tokens: 12, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 9 } },
        },
      },
      6,
      out,
    );
    assert.equal(end, 'end');
    assert.equal(out.responseId, 'resp_1');
    assert.equal(out.firstReasoningAt, 2);
    assert.equal(out.firstVisibleAt, 4);
    assert.deepEqual(out.outputTimes, [2, 4, 5]);
    assert.equal(out.finishReason, 'stop');
    assert.deepEqual(out.usage, { prompt_tokens: 7, completion_tokens: 12, cached_tokens: 0, reasoning_tokens: 9 });
  });

  it('responses: incomplete at max_output_tokens is a finished request (length); failed and error events fail it', () => {
    const out = emptyOutput();
    assert.equal(
      readResponsesEvent(
        null,
        {
          type: 'response.incomplete',
          response: { id: 'r', incomplete_details: { reason: 'max_output_tokens' }, usage: { input_tokens: 1, output_tokens: 5 } },
        },
        1,
        out,
      ),
      'end',
    );
    assert.equal(out.finishReason, 'length');
    assert.deepEqual(
      readResponsesEvent(null, { type: 'response.failed', response: { id: 'r', error: { code: 'server_error', message: 'boom' } } }, 1, emptyOutput()),
      {
        error: 'response failed: boom',
      },
    );
    assert.deepEqual(
      readResponsesEvent('error', { type: 'error', code: 'rate_limit_exceeded', message: 'slow down', param: null, sequence_number: 3 }, 1, emptyOutput()),
      {
        error: 'error event in stream: slow down',
      },
    );
  });
});
