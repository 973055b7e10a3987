// Wire shapes of the Responses API stream (docs/stream-shapes.md §2): named SSE events whose data repeats
// the `type` and carries a `sequence_number`; no [DONE]. Order: response.created, response.in_progress,
// a reasoning item (output_item.added, reasoning_summary_part.added or content_part.added,
// reasoning_summary_text.delta or reasoning_text.delta …, the matching .done events), a message item
// (output_item.added, content_part.added, output_text.delta …, output_text.done, content_part.done,
// output_item.done), then response.completed — or response.incomplete when max_output_tokens cut it.
// Usage is only in that terminal event.

import { sseEvent, type EncoderInput, type OutputPiece, type StreamEncoder } from './encoder';
import { itemId } from './ids';

export interface ResponsesShape {
  /** Reasoning summary events (OpenAI) or reasoning text events (open-weight reasoning models). */
  reasoningEvent: 'summary' | 'text';
  /** Usage in the terminal event (false: `usage: null`, a server that does not report it). */
  usage: boolean;
}

export interface ResponseHeader {
  id: string;
  createdAt: number;
  model: string;
  maxOutputTokens: number | null;
}

export class ResponsesEncoder implements StreamEncoder {
  private seq = 0;
  private readonly reasoningId = itemId('rs');
  private readonly messageId = itemId('msg');
  private reasoningOpen = false;
  private reasoningText = '';
  private messageOpen = false;
  private messageText = '';
  /** Output items finished so far (for the terminal event's `output`). */
  private readonly output: Record<string, unknown>[] = [];

  constructor(
    private readonly header: ResponseHeader,
    private readonly shape: ResponsesShape,
    private readonly input: EncoderInput,
  ) {}

  get sendsUsage(): boolean {
    return this.shape.usage;
  }

  readonly continuousUsage = false;

  private event(type: string, fields: Record<string, unknown>): string {
    return sseEvent(JSON.stringify({ type, sequence_number: this.seq++, ...fields }), type);
  }

  /** The response object; `final` adds the finished output and usage. */
  private response(status: 'in_progress' | 'completed' | 'incomplete', output: unknown[], final: boolean): Record<string, unknown> {
    const { header, input } = this;
    return {
      id: header.id,
      object: 'response',
      created_at: header.createdAt,
      status,
      error: null,
      incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
      max_output_tokens: header.maxOutputTokens,
      model: header.model,
      output,
      usage: final && this.shape.usage ? responsesUsage(input) : null,
    };
  }

  open(): string {
    const r = this.response('in_progress', [], false);
    return this.event('response.created', { response: r }) + this.event('response.in_progress', { response: r });
  }

  piece(p: OutputPiece): string {
    return p.kind === 'reasoning' ? this.reasoningDelta(p.text) : this.textDelta(p.text);
  }

  private reasoningDelta(delta: string): string {
    let events = '';
    if (!this.reasoningOpen) {
      this.reasoningOpen = true;
      events += this.event('response.output_item.added', { output_index: 0, item: this.reasoningItem(false) });
      events +=
        this.shape.reasoningEvent === 'summary'
          ? this.event('response.reasoning_summary_part.added', { ...this.reasoningAt(), summary_index: 0, part: { type: 'summary_text', text: '' } })
          : this.event('response.content_part.added', { ...this.reasoningAt(), content_index: 0, part: { type: 'reasoning_text', text: '' } });
    }
    this.reasoningText += delta;
    return (
      events +
      (this.shape.reasoningEvent === 'summary'
        ? this.event('response.reasoning_summary_text.delta', { ...this.reasoningAt(), summary_index: 0, delta })
        : this.event('response.reasoning_text.delta', { ...this.reasoningAt(), content_index: 0, delta }))
    );
  }

  private reasoningAt() {
    return { item_id: this.reasoningId, output_index: 0 };
  }

  private reasoningItem(done: boolean): Record<string, unknown> {
    const text = done ? this.reasoningText : '';
    return this.shape.reasoningEvent === 'summary'
      ? { id: this.reasoningId, type: 'reasoning', summary: done ? [{ type: 'summary_text', text }] : [] }
      : { id: this.reasoningId, type: 'reasoning', summary: [], content: done ? [{ type: 'reasoning_text', text }] : [] };
  }

  private closeReasoning(): string {
    if (!this.reasoningOpen) return '';
    this.reasoningOpen = false;
    const text = this.reasoningText;
    const item = this.reasoningItem(true);
    this.output.push(item);
    const events =
      this.shape.reasoningEvent === 'summary'
        ? this.event('response.reasoning_summary_text.done', { ...this.reasoningAt(), summary_index: 0, text }) +
          this.event('response.reasoning_summary_part.done', { ...this.reasoningAt(), summary_index: 0, part: { type: 'summary_text', text } })
        : this.event('response.reasoning_text.done', { ...this.reasoningAt(), content_index: 0, text }) +
          this.event('response.content_part.done', { ...this.reasoningAt(), content_index: 0, part: { type: 'reasoning_text', text } });
    return events + this.event('response.output_item.done', { output_index: 0, item });
  }

  private messageAt() {
    return { item_id: this.messageId, output_index: this.output.length, content_index: 0 };
  }

  private messageItem(status: 'in_progress' | 'completed', text: string | null): Record<string, unknown> {
    const content = text === null ? [] : [{ type: 'output_text', text, annotations: [] }];
    return { id: this.messageId, type: 'message', status, role: 'assistant', content };
  }

  private textDelta(delta: string): string {
    let events = '';
    if (!this.messageOpen) {
      events += this.closeReasoning();
      this.messageOpen = true;
      events += this.event('response.output_item.added', { output_index: this.output.length, item: this.messageItem('in_progress', null) });
      events += this.event('response.content_part.added', { ...this.messageAt(), part: { type: 'output_text', text: '', annotations: [] } });
    }
    this.messageText += delta;
    return events + this.event('response.output_text.delta', { ...this.messageAt(), delta, logprobs: [] });
  }

  malformed(p: OutputPiece): string {
    const whole = this.piece(p);
    // Cut the last event's JSON in half; the frame (blank line) stays, so the client sees bad JSON.
    const lastData = whole.lastIndexOf('data: ');
    return whole.slice(0, lastData) + whole.slice(lastData, lastData + Math.max(7, (whole.length - lastData) >> 1)) + '\n\n';
  }

  close(): string {
    let events = this.closeReasoning();
    if (this.messageOpen) {
      const at = this.messageAt();
      const text = this.messageText;
      const item = this.messageItem('completed', text);
      events += this.event('response.output_text.done', { ...at, text, logprobs: [] });
      events += this.event('response.content_part.done', { ...at, part: { type: 'output_text', text, annotations: [] } });
      events += this.event('response.output_item.done', { output_index: at.output_index, item });
      this.output.push(item);
    }
    const status = this.input.finishReason === 'length' ? 'incomplete' : 'completed';
    return events + this.event(`response.${status}`, { response: this.response(status, this.output, true) });
  }

  body(): string {
    const { input } = this;
    const output: unknown[] = [];
    if (input.reasoning) {
      this.reasoningText = input.reasoning;
      output.push(this.reasoningItem(true));
    }
    output.push(this.messageItem('completed', input.content));
    return JSON.stringify(this.response(input.finishReason === 'length' ? 'incomplete' : 'completed', output, true));
  }
}

function responsesUsage(input: EncoderInput): Record<string, unknown> {
  return {
    input_tokens: input.promptTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: input.completionTokens,
    output_tokens_details: { reasoning_tokens: input.reasoningTokens },
    total_tokens: input.promptTokens + input.completionTokens,
  };
}
