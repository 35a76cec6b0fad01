/** Users created through the REST API as admin, with a logged-in session of their own. */
import { WpClient } from './wp-client.js';

export async function createUserSession(
  admin: WpClient,
  role: string,
): Promise<{ id: number; client: WpClient; username: string; password: string }> {
  // The random part keeps two users created in the same millisecond apart.
  const username = `e2e-${role}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const password = `pw-${Math.random().toString(36).slice(2)}-X9!`;
  const response = await admin.request('/wp-json/wp/v2/users', {
    method: 'POST',
    withNonce: true,
    json: { username, password, email: `${username}@example.com`, roles: [role] },
  });
  if (response.status !== 201) throw new Error(`creating a ${role} failed: HTTP ${response.status} ${response.text.slice(0, 300)}`);
  const client = new WpClient(admin.baseUrl);
  await client.login(username, password);
  return { id: response.json<{ id: number }>().id, client, username, password };
}
