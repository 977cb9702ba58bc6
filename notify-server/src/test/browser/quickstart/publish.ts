import type { components, paths } from './notify-api';

type Publish = components['schemas']['PublishRequest'];
type Receipt = paths['/api/v1/notifications']['post']['responses'][202]['content']['application/json'];
type Problem = components['schemas']['Problem'];

export async function publish(baseUrl: string, apiKey: string, notification: Publish): Promise<Receipt> {
  const r = await fetch(baseUrl + '/api/v1/notifications', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify(notification),
  });
  if (!r.ok) throw new Error(((await r.json()) as Problem).detail);
  return (await r.json()) as Receipt;
}
