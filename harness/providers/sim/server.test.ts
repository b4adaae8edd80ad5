import Anthropic, { APIError } from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../core/errors.js';
import { createSimSession } from './client.js';
import { planTranscript } from './plan.js';
import { MODEL, runLoop, SCRIPT, simClient, TOOLS } from '../../test-support/sim-kit.js';

const user: Anthropic.MessageParam[] = [{ role: 'user', content: 'hi' }];
const tokensOf = (value: unknown): number => Math.ceil(JSON.stringify(value).length / 4);

describe('sim server through the real SDK', () => {
  it('plays the planned transcript turn by turn', async () => {
    const { client } = await simClient();
    const turns = await runLoop(client);
    const plan = planTranscript(SCRIPT, {}, 1);
    expect(turns.map((t) => t.message.stop_reason)).toEqual(['tool_use', 'tool_use', 'tool_use', 'end_turn']);
    expect(turns[0]?.message.content).toEqual([
      { type: 'text', text: 'Let me see what is here.' },
      { type: 'tool_use', id: expect.stringMatching(/^toolu_sim_[0-9a-f]{24}$/), name: 'list_dir', input: { path: '.' } },
    ]);
    expect(turns[1]?.message.content.map((b) => b.type)).toEqual(['tool_use']);
    expect(turns[3]?.message.content).toEqual([{ type: 'text', text: plan.at(-1)?.text }]);
    for (const { message, requestId } of turns) {
      expect(message).toMatchObject({ type: 'message', role: 'assistant', model: MODEL, stop_sequence: null });
      expect(message.id).toMatch(/^msg_sim_/);
      expect(requestId).toMatch(/^req_sim_[0-9a-f]{24}$/);
      expect(message.usage.output_tokens).toBe(tokensOf(message.content));
      expect(message.usage.cache_creation_input_tokens).toBe(0);
      expect(message.usage.cache_read_input_tokens).toBe(0);
    }
    // Tools, then the conversation as sent, at 4 characters a token.
    for (const { sent, message } of turns) {
      expect(message.usage.input_tokens).toBe(Math.ceil((JSON.stringify(TOOLS).length + JSON.stringify(sent).length) / 4));
    }
  });

  it('gives the same transcript, ids included, for the same seed', async () => {
    const a = await runLoop((await simClient({ seed: 9 })).client);
    const b = await runLoop((await simClient({ seed: 9 })).client);
    const c = await runLoop((await simClient({ seed: 10 })).client);
    expect(b.map((t) => [t.message, t.requestId])).toEqual(a.map((t) => [t.message, t.requestId]));
    expect(c[0]?.message.id).not.toBe(a[0]?.message.id);
  });

  it('counts a cache_control prefix as written once, then read', async () => {
    const system: Anthropic.TextBlockParam[] = [{ type: 'text', text: 'You are careful. '.repeat(200), cache_control: { type: 'ephemeral' } }];
    const cached = await runLoop((await simClient()).client, { system });
    const plain = await runLoop((await simClient()).client, { system: [{ type: 'text', text: system[0]!.text }] });
    const prefix = tokensOf([...TOOLS, system[0]]);
    expect(cached.map((t) => t.message.usage.cache_creation_input_tokens)).toEqual([prefix, 0, 0, 0]);
    expect(cached.map((t) => t.message.usage.cache_read_input_tokens)).toEqual([0, prefix, prefix, prefix]);
    // input_tokens leaves the prefix out: only the conversation is counted.
    for (const { sent, message } of cached) expect(message.usage.input_tokens).toBe(tokensOf(sent));
    plain.forEach(({ sent, message }) => {
      expect([message.usage.cache_creation_input_tokens, message.usage.cache_read_input_tokens]).toEqual([0, 0]);
      expect(message.usage.input_tokens).toBe(Math.ceil((JSON.stringify([...TOOLS, ...system.map(({ cache_control: _, ...b }) => b)]).length + JSON.stringify(sent).length) / 4));
    });
  });

  it('stops at max_tokens with the text cut and no tool call', async () => {
    const { client } = await simClient();
    const msg = await client.messages.create({ model: MODEL, max_tokens: 12, messages: user });
    expect(msg.stop_reason).toBe('max_tokens');
    expect(msg.usage.output_tokens).toBe(12);
    expect(msg._request_id).toMatch(/^req_sim_/);
    // 12 tokens are 48 characters of content JSON, 27 of them the text block's frame.
    expect(msg.content).toEqual([{ type: 'text', text: 'Let me see what is here.'.slice(0, 48 - 27) }]);
  });

  it('rejects an unknown key with 401 authentication_error', async () => {
    const { server } = await simClient();
    const stranger = new Anthropic({ apiKey: 'sim_nope', baseURL: server.url, maxRetries: 0 });
    const err = await stranger.messages.create({ model: MODEL, max_tokens: 10, messages: user }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((err as APIError).error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });

  it('rejects what the API rejects: temperature, streaming, another model, unanswered tool_use', async () => {
    const { client, requests } = await simClient();
    const reject = (p: object): Promise<unknown> =>
      client.messages.create({ model: MODEL, max_tokens: 10, messages: user, ...p } as Anthropic.MessageCreateParamsNonStreaming).catch((e: unknown) => e);
    const temperature = await reject({ temperature: 0 });
    expect(temperature).toBeInstanceOf(Anthropic.BadRequestError);
    expect((temperature as Error).message).toMatch(/temperature: claude-sonnet-5-5 does not accept/);
    expect(((await reject({ stream: true })) as Error).message).toMatch(/streaming is not supported by the simulator/);
    expect(await reject({ model: 'claude-other' })).toBeInstanceOf(Anthropic.NotFoundError);
    const dangling: Anthropic.MessageParam[] = [...user, { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'x', input: {} }] }, { role: 'user', content: 'and?' }];
    expect(((await reject({ messages: dangling })) as Error).message).toMatch(/tool_use` ids were found without `tool_result`.*toolu_1/);
    expect(requests()).toBe(4);
  });

  it('validates session bodies against the schemas', async () => {
    const { server } = await simClient();
    const health = await fetch(`${server.url}/health`);
    expect(await health.json()).toEqual({ status: 'ok', sessions: 1 });
    const bad = createSimSession(server.url, { script: { steps: [{ call: { tool: 'x' } }] }, behaviour: { skip: 2 }, seed: -1, model: MODEL } as never);
    await expect(bad).rejects.toBeInstanceOf(HarnessError);
    await expect(bad).rejects.toThrow(/\/script: missing required key "final".*\/behaviour\/skip: must be <= 1.*\/seed: must be >= 0/);
  });
});
