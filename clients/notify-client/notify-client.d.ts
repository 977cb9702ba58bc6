// Types of notify-client.js, the browser client of a Notify server (npm: @notify-dev/client).

/** A notification as the client lists and announces it, whatever transport brought it. */
export interface Notification {
  id: string;
  /** The event-log sequence it arrived with (null for inbox items). */
  sequence: number | null;
  /** `notification`, a `task.*` event or any dotted name the publisher chose. */
  event: string;
  type: 'info' | 'warning' | 'error' | 'success';
  topic: string | null;
  /** `data.task_id` of task events. */
  taskId: string | null;
  priority: 'critical' | 'high' | 'normal' | 'low';
  title: string;
  body: string;
  data: Record<string, unknown>;
  /** ISO-8601 instant. */
  createdAt: string;
  read: boolean;
}

/** Counts of the user's inbox. */
export interface Stats {
  total: number;
  unread: number;
  read: number;
}

export type Transport = 'sse' | 'ws' | 'poll';

/** A user JWT (or stream token), or a promise of one. */
export type TokenProvider = () => string | Promise<string>;

export interface ConnectOptions {
  /** The server's base URL; default: where the module was loaded from (a bundled copy: the page's origin). */
  url?: string;
  /** A user JWT or a stream token; give `tokenProvider` instead for sessions longer than the token. */
  token?: string;
  /**
   * Returns a fresh user JWT: called at start, when the last one expires within a minute, after a
   * 401 and when the server ends a stream because its credential expired (`reauthenticate`).
   */
  tokenProvider?: TokenProvider;
  /** Topics or `prefix:*` patterns to follow besides the user's own notifications. */
  topics?: string[];
  /** The order to try, default `['sse', 'ws', 'poll']`. */
  transports?: Transport[];
  /** Custom event names to listen for on the SSE stream (EventSource hands out only names listened to). */
  events?: string[];
  /** Milliseconds to wait for a stream's first event before falling back, default 10000. */
  connectTimeout?: number;
  /** Notifications kept in `client.notifications`, default 50. */
  limit?: number;
}

/** What each event name of `on()` passes to its listener. */
export interface ClientEvents {
  notification: Notification;
  stats: Stats;
  connected: { transport: Transport | null };
  disconnected: { transport: Transport | null };
  change: NotifyClient;
  fallback: { from: Transport; to: Transport | null; reason: string };
  pruned: { [key: string]: unknown };
  reauthenticate: { transport: Transport | null };
  error: Error & { status?: number };
}

export declare class NotifyClient {
  constructor(options: ConnectOptions);
  /** Newest first: the inbox's first page plus what arrived live. */
  notifications: Notification[];
  /** Counts of the user's inbox. */
  stats: Stats;
  /** Whether a stream is open. */
  connected: boolean;
  /** The open transport, once connected. */
  transport: Transport | null;
  /** The id of the last event received: where a reconnect resumes. */
  lastEventId: number | null;
  /** The server's base URL in use. */
  readonly base: string;

  /** Calls `fn` for an event; returns a function that removes it. Any other name is a notification event (`task.progress`, `info`, ...). */
  on<K extends keyof ClientEvents>(name: K, fn: (payload: ClientEvents[K]) => void): () => void;
  on(name: string, fn: (notification: Notification) => void): () => void;
  /** Marks one notification read. */
  markRead(id: string): Promise<void>;
  /** Marks every notification of the user read. */
  markAllRead(): Promise<void>;
  /** Deletes one notification from the user's inbox. */
  remove(id: string): Promise<void>;
  /** Reloads the newest page of the inbox and the counts. */
  refresh(): Promise<void>;
  /** Stops streaming. */
  close(): void;
}

/** Connects to a Notify server and returns the client at once; it connects in the background. */
export declare function connect(options: ConnectOptions): NotifyClient;
