import { WebSocketClientTransport } from '@godot/shared';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';

/** An SDK `Client` connected to a Godot server's WebSocket URL over Godot's own transport. */
export async function connectClient(
  url: string,
  headers?: Record<string, string>,
): Promise<Client> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(new WebSocketClientTransport(url, { headers }));
  return client;
}
