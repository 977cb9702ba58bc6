// The framework-free client through its types: what an app without React writes.
import { connect, type Notification, type Stats } from '@notify-dev/client';

export function follow(onTitle: (title: string) => void): () => void {
  const client = connect({ tokenProvider: () => fetch('/my-app/notify-token').then(r => r.text()), topics: ['task:*'] });
  const offNotification = client.on('notification', (n: Notification) => onTitle(n.title));
  const offStats = client.on('stats', (s: Stats) => console.log(s.unread + ' unread'));
  const offProgress = client.on('task.progress', n => console.log(n.taskId, n.data.percent));
  return () => { offNotification(); offStats(); offProgress(); client.close(); };
}
