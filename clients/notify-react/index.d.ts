// Types of @notify-dev/react: React bindings of the Notify browser client.
import type { ReactElement, ReactNode, MouseEventHandler } from 'react';
import type { ClientEvents, ConnectOptions, Notification, NotifyClient, Stats, Transport } from '@notify-dev/client';

export type { ConnectOptions, Notification, NotifyClient, Stats, Transport } from '@notify-dev/client';

/** What useNotifications and useNotificationsContext return; re-rendered on every change. */
export interface NotificationsState {
  /** The connected client, or null before the first effect ran. */
  client: NotifyClient | null;
  notifications: Notification[];
  stats: Stats;
  connected: boolean;
  transport: Transport | null;
  markRead(id: string): Promise<void>;
  markAllRead(): Promise<void>;
  remove(id: string): Promise<void>;
  /** Adds a listener; returns a function that removes it (an effect's cleanup). */
  on<K extends keyof ClientEvents>(name: K, fn: (payload: ClientEvents[K]) => void): () => void;
  on(name: string, fn: (notification: Notification) => void): () => void;
}

/** Connects while mounted. Keep `tokenProvider` stable, or it reconnects on every render. */
export declare function useNotifications(options?: ConnectOptions): NotificationsState;

export interface NotificationsProviderProps extends ConnectOptions {
  children?: ReactNode;
}

/** One connection for the whole app. */
export declare function NotificationsProvider(props: NotificationsProviderProps): ReactElement;

/** The provider's connection; throws without a provider above. */
export declare function useNotificationsContext(): NotificationsState;

export interface BellProps {
  /** Toasts shown at once, default 3. */
  maxToasts?: number;
  /** Milliseconds a toast stays, default 8000; 0 keeps it until dismissed. */
  toastTimeout?: number;
  onClick?: MouseEventHandler<HTMLButtonElement>;
  /** The button's class, default `notify-bell`. */
  className?: string;
}

/** The unread count on a button, and a toast per live notification. */
export declare function Bell(props: BellProps): ReactElement;
