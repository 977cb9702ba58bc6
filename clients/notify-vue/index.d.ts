// Types of @notify-dev/vue: Vue 3 bindings of the Notify browser client.
import type { Ref, ShallowRef } from 'vue';
import type { ClientEvents, ConnectOptions, Notification, NotifyClient, Stats, Transport } from '@notify-dev/client';

export type { ConnectOptions, Notification, NotifyClient, Stats, Transport } from '@notify-dev/client';

export interface NotificationsState {
  /** The connected client; null before the component is mounted and after close(). */
  client: ShallowRef<NotifyClient | null>;
  notifications: ShallowRef<Notification[]>;
  stats: ShallowRef<Stats>;
  connected: Ref<boolean>;
  transport: Ref<Transport | null>;
  markRead(id: string): Promise<void>;
  markAllRead(): Promise<void>;
  remove(id: string): Promise<void>;
  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof ClientEvents>(name: K, fn: (payload: ClientEvents[K]) => void): () => void;
  on(name: string, fn: (notification: Notification) => void): () => void;
  /** Stops streaming (done for you when the component's scope ends). */
  close(): void;
}

/** Connects while the calling component is mounted; the returned state is reactive. */
export declare function useNotifications(options: ConnectOptions): NotificationsState;
