import { describe, expect, it } from 'vitest';
import { ControlPlaneSchema } from '@keepwatch/shared';
import { agentServerUrl } from './agent-url';

describe('agentServerUrl', () => {
  it.each([
    ['https://lb-dash.example.com', 'wss://lb-dash.example.com/agent'],
    ['http://dash.example.com:3000', 'wss://dash.example.com:3000/agent'],
    ['http://192.0.2.1:3000', 'wss://192.0.2.1:3000/agent'],
    ['http://[2001:db8::1]:3000', 'wss://[2001:db8::1]:3000/agent'],
    ['http://127.0.0.1:3000', 'ws://127.0.0.1:3000/agent'],
    ['http://localhost:3000', 'ws://localhost:3000/agent'],
    ['http://[::1]:3000', 'ws://[::1]:3000/agent'],
  ])('offers %s agents %s, never ws:// to a remote host', (origin, url) => {
    expect(agentServerUrl(origin)).toBe(url);
  });

  it('offers only URLs the agent accepts', () => {
    for (const origin of ['http://dash.example.com:3000', 'http://127.0.0.1:3000', 'https://[2001:db8::1]'])
      expect(ControlPlaneSchema.shape.url.safeParse(agentServerUrl(origin)).success).toBe(true);
  });
});
