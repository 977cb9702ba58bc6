import { createApp } from 'vue';
import { App } from './VueApp';

createApp(App).mount('#root');
