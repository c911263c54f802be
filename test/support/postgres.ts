import { Client } from 'pg';

/** Runs `work` with a short-lived client (for CREATE/DROP DATABASE and raw checks). */
export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
