import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { setLocale } from './lib/i18n';
import { applyTheme, loadTheme } from './lib/theme';

applyTheme(loadTheme());
setLocale(navigator.languages ?? [navigator.language]);
document.documentElement.lang = 'en';

mount(App, { target: document.getElementById('app')! });
