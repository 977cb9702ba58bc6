import { defineComponent, h } from 'vue';
import { useNotifications } from '@notify-dev/vue';

const tokenProvider = () => fetch('/my-app/notify-token').then(r => r.text());

// a render function, so no template compiler is needed; a .vue file's template reads the same refs
export const App = defineComponent({
  setup() {
    const { notifications, stats, connected, markRead } = useNotifications({ tokenProvider, topics: ['task:*'] });
    return () => h('section', { 'aria-label': 'Notifications' }, [
      h('p', { class: 'status' }, `${connected.value ? 'live' : 'connecting…'}, ${stats.value.unread} unread`),
      h('ul', notifications.value.map(n => h('li', { key: n.id, 'data-id': n.id, class: n.read ? 'read' : 'unread' }, [
        h('strong', n.title), ' ', n.body,
        n.read ? null : h('button', { onClick: () => markRead(n.id) }, 'Mark read'),
      ]))),
    ]);
  },
});
