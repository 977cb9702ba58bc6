import { Bell, NotificationsProvider, useNotificationsContext } from '@notify-dev/react';

// Your backend hands the signed-in user a Notify JWT; the client asks again when it expires or is refused.
const tokenProvider = () => fetch('/my-app/notify-token').then(r => r.text());

function Inbox() {
  const { notifications, stats, connected, markRead, markAllRead } = useNotificationsContext();
  return (
    <section aria-label="Notifications">
      <p className="status">{connected ? 'live' : 'connecting…'}, {stats.unread} unread</p>
      <button onClick={() => markAllRead()}>Mark all read</button>
      <ul>
        {notifications.map(n => (
          <li key={n.id} data-id={n.id} className={n.read ? 'read' : 'unread'}>
            <strong>{n.title}</strong> {n.body}
            {!n.read && <button onClick={() => markRead(n.id)}>Mark read</button>}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function App() {
  // url defaults to this page's origin (Notify behind the same reverse proxy); set it for another one
  return (
    <NotificationsProvider tokenProvider={tokenProvider} topics={['task:*']}>
      <Bell />
      <Inbox />
    </NotificationsProvider>
  );
}
