// Vue 3 bindings of the Notify browser client (npm: @notify-dev/vue): a composable whose state is
// reactive. Types in index.d.ts.
import { getCurrentInstance, getCurrentScope, onMounted, onScopeDispose, ref, shallowRef } from 'vue';
import { connect } from '@notify-dev/client';

/**
 * Connects (once the component is mounted, so server rendering opens nothing) and keeps
 * `notifications`, `stats`, `connected` and `transport` up to date; closes with the component's
 * scope. Outside a component it connects at once and `close()` ends it.
 */
export function useNotifications(options) {
  const client = shallowRef(null);
  const notifications = shallowRef([]);
  const stats = shallowRef({ total: 0, unread: 0, read: 0 });
  const connected = ref(false);
  const transport = ref(null);
  let off = null;

  function sync(c) {
    notifications.value = [...c.notifications];
    stats.value = { ...c.stats };
    connected.value = c.connected;
    transport.value = c.transport;
  }
  function start() {
    const c = connect(options);
    off = c.on('change', () => sync(c));
    client.value = c;
    sync(c);
  }
  function close() {
    if (off) off();
    if (client.value) client.value.close();
    off = null;
    client.value = null;
  }
  if (getCurrentInstance()) onMounted(start);
  else start();
  if (getCurrentScope()) onScopeDispose(close);

  const call = (method, ...args) => (client.value ? client.value[method](...args) : Promise.resolve());
  return {
    client,
    notifications,
    stats,
    connected,
    transport,
    markRead: id => call('markRead', id),
    markAllRead: () => call('markAllRead'),
    remove: id => call('remove', id),
    on: (name, fn) => (client.value ? client.value.on(name, fn) : () => {}),
    close,
  };
}
