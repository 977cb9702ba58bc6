// React bindings of the Notify browser client (npm: @notify-dev/react): a hook, a provider for one
// connection per app, and a bell with toasts. Plain React.createElement, so no build step; types in
// index.d.ts.
import { createContext, createElement, Fragment, useCallback, useContext, useEffect, useState } from 'react';
import { connect } from '@notify-dev/client';

const EMPTY_STATS = Object.freeze({ total: 0, unread: 0, read: 0 });
const NO_NOTIFICATIONS = Object.freeze([]);

/**
 * Connects while the component is mounted and re-renders on every change. The client is created
 * in an effect, not during render, so React's StrictMode (which mounts twice) and server rendering
 * open no stray connection. Keep `tokenProvider` stable (module scope or useCallback).
 */
export function useNotifications({ url, token, tokenProvider, topics = [], transports, events, limit } = {}) {
  const [client, setClient] = useState(null);
  const [, setVersion] = useState(0);
  const topicKey = topics.join(',');
  const transportKey = transports ? transports.join(',') : '';
  const eventKey = events ? events.join(',') : '';
  useEffect(() => {
    const c = connect({ url, token, tokenProvider, topics: topicKey ? topicKey.split(',') : [],
      transports: transportKey ? transportKey.split(',') : undefined, events: eventKey ? eventKey.split(',') : [], limit });
    const off = c.on('change', () => setVersion(v => v + 1));
    setClient(c);
    return () => { off(); c.close(); setClient(null); };
  }, [url, token, tokenProvider, topicKey, transportKey, eventKey, limit]);

  const markRead = useCallback(id => (client ? client.markRead(id) : Promise.resolve()), [client]);
  const markAllRead = useCallback(() => (client ? client.markAllRead() : Promise.resolve()), [client]);
  const remove = useCallback(id => (client ? client.remove(id) : Promise.resolve()), [client]);
  const on = useCallback((name, fn) => (client ? client.on(name, fn) : () => {}), [client]);
  return {
    client,
    notifications: client ? client.notifications : NO_NOTIFICATIONS,
    stats: client ? client.stats : EMPTY_STATS,
    connected: client ? client.connected : false,
    transport: client ? client.transport : null,
    markRead,
    markAllRead,
    remove,
    on,
  };
}

const NotificationsContext = createContext(null);

/** One connection for the whole app; components below read it with useNotificationsContext(). */
export function NotificationsProvider({ children, ...options }) {
  const value = useNotifications(options);
  return createElement(NotificationsContext.Provider, { value }, children);
}

/** The provider's connection; throws when there is no provider above. */
export function useNotificationsContext() {
  const value = useContext(NotificationsContext);
  if (!value) throw new Error('useNotificationsContext needs a <NotificationsProvider> above it');
  return value;
}

/**
 * A bell with the unread count and a toast per live notification (role="status", dismissable,
 * gone after `toastTimeout` ms; 0 keeps them). Text only: a title never becomes markup.
 */
export function Bell({ maxToasts = 3, toastTimeout = 8000, onClick, className = 'notify-bell' }) {
  const { stats, on } = useNotificationsContext();
  const [toasts, setToasts] = useState([]);
  const dismiss = useCallback(id => setToasts(t => t.filter(x => x.id !== id)), []);
  useEffect(() => on('notification', n => {
    setToasts(t => [...t.filter(x => x.id !== n.id), n].slice(-maxToasts));
    if (toastTimeout > 0) setTimeout(() => dismiss(n.id), toastTimeout);
  }), [on, maxToasts, toastTimeout, dismiss]);
  return createElement(Fragment, null,
    createElement('button', { type: 'button', className, onClick, 'aria-label': `Notifications: ${stats.unread} unread` },
      '🔔 ', createElement('span', { className: 'notify-badge' }, String(stats.unread))),
    createElement('div', { className: 'notify-toasts', 'aria-live': 'polite' },
      toasts.map(n => createElement('div', { key: n.id, role: 'status', className: `notify-toast ${n.type}` },
        createElement('strong', { className: 'notify-toast-title' }, n.title),
        n.body ? createElement('span', { className: 'notify-toast-body' }, n.body) : null,
        createElement('button', { type: 'button', onClick: () => dismiss(n.id), 'aria-label': 'Dismiss' }, '×')))));
}
