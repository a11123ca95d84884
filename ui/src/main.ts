import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { loadLocale } from './lib/i18n';
import { initialLanguage } from './lib/language.svelte';
import { applyTheme, loadTheme } from './lib/theme';

applyTheme(loadTheme());

// The first screen already in the user's language (sets <html lang> too): a
// language other than English loads its message set first (a small chunk).
loadLocale(initialLanguage())
  .catch(() => loadLocale('en'))
  .finally(() => mount(App, { target: document.getElementById('app')! }));
