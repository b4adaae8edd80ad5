import Anthropic, { APIError } from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { decideFault } from './faults.js';
import type { SimSessionSpec } from './session.js';
import { MODEL, runLoop, simClient } from '../../test-support/sim-kit.js';
import { MAX_REQUEST_BYTES } from './simulator.js';

const user: Anthropic.MessageParam[] = [{ role: 'user', content: 'hi' }];

// The first seed whose faults at turn 0 are exactly `pattern` (one entry per attempt).
function seedWith(faults: NonNullable<SimSessionSpec['faults']>, pattern: (string | undefined)[]): number {
  for (let seed = 0; seed < 10_000; seed++) {
    const spec = { seed, faults } as SimSessionSpec;
    if (pattern.every((kind, attempt) => decideFault(spec, 0, attempt) === kind)) return seed;
  }
  throw new Error('no seed found');
}

describe('sim faults through the real SDK', () => {
  it('injects seeded errors that the SDK retries, and the loop still completes', async () => {
    const faults = { rate: 0.5, kinds: ['rate_limit', 'overloaded', 'server_error'] } as NonNullable<SimSessionSpec['faults']>;
    const seed = 3;
    const { client, requests } = await simClient({ seed, faults });
    const turns = await runLoop(client);
    const calm = await runLoop((await simClient({ seed })).client);
    expect(turns.map((t) => t.message.content)).toEqual(calm.map((t) => t.message.content));
    // Each turn takes one request per faulty attempt plus the one that succeeds.
    let expected = 0;
    for (let turn = 0; turn < turns.length; turn++) {
      let attempt = 0;
      while (decideFault({ seed, faults } as SimSessionSpec, turn, attempt) !== undefined) attempt++;
      expected += attempt + 1;
    }
    expect(expected).toBeGreaterThan(turns.length);
    expect(requests()).toBe(expected);
    // The request id names the attempt that answered.
    expect(turns.map((t) => t.requestId)).not.toEqual(calm.map((t) => t.requestId));
  });

  it('surfaces a 429 with its retry-after headers when retries run out', async () => {
    const { client } = await simClient({ faults: { rate: 1, kinds: ['rate_limit'] } }, { maxRetries: 1 });
    const err = await client.messages.create({ model: MODEL, max_tokens: 10, messages: user }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    const apiError = err as APIError;
    expect(apiError.headers?.get('retry-after')).toBe('1');
    expect(apiError.headers?.get('retry-after-ms')).toBe('20');
    expect(apiError.requestID).toMatch(/^req_sim_/);
  });

  it('holds a timeout fault past the client timeout; the SDK retries', async () => {
    const faults = { rate: 0.5, kinds: ['timeout'] } as NonNullable<SimSessionSpec['faults']>;
    const seed = seedWith(faults, ['timeout', undefined]);
    const { client, requests } = await simClient({ seed, faults, slowMs: 2000, script: { steps: [], final: 'ok' } }, { timeout: 200 });
    const started = Date.now();
    const msg = await client.messages.create({ model: MODEL, max_tokens: 10, messages: user });
    expect(msg.content).toEqual([{ type: 'text', text: 'ok' }]);
    expect(requests()).toBe(2);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('sends a truncated body for a malformed fault, which the SDK fails to parse', async () => {
    const { client } = await simClient({ faults: { rate: 1, kinds: ['malformed'] } });
    await expect(client.messages.create({ model: MODEL, max_tokens: 100, messages: user })).rejects.toThrow(/JSON/);
  });

  it('delays every response by latencyMs', async () => {
    const { client } = await simClient({ latencyMs: 150 });
    const started = Date.now();
    await client.messages.create({ model: MODEL, max_tokens: 100, messages: user });
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
  });

  it('streams a fill of many bytes into the tool input, outside the token count', async () => {
    const bytes = 20_000_000;
    const script = { steps: [{ call: { tool: 'write_file', input: { path: 'big.txt', content: '' }, fill: { field: 'content', bytes } } }], final: 'done' };
    const { client } = await simClient({ script });
    const turns = await runLoop(client);
    const block = turns[0]?.message.content[0];
    expect(block?.type === 'tool_use' && block.input).toMatchObject({ path: 'big.txt' });
    const content = (block as Anthropic.ToolUseBlock).input as { content: string };
    expect(content.content.length).toBe(bytes);
    expect(/^x+$/.test(content.content)).toBe(true);
    expect(turns[0]?.message.usage.output_tokens).toBeLessThan(100);
    // The 20 MB tool call is sent back with the next request, which is still under the API's limit.
    expect(turns.map((t) => t.message.stop_reason)).toEqual(['tool_use', 'end_turn']);
  });

  it('refuses request bodies over 32 MB with 413 request_too_large', async () => {
    const { server, token } = await simClient();
    const res = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': token, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'y'.repeat(MAX_REQUEST_BYTES) }] }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
  });
});
