// Which language the UI speaks, and where that choice is kept.
//
// First load: ?lang=<tag> in the URL (a wall screen's link), else the choice
// last made in this browser (localStorage), else the browser's languages
// (navigator.languages, i.e. its Accept-Language order). English otherwise.
// Once signed in, the user's own setting (GET /api/v1/me/language) wins over
// the browser's; choosing in the header's menu saves it there (PUT) and here.
import { call } from './api';
import { isLang, loadLocale, pickLanguage, currentLocale, t, type Lang } from './i18n';
import { ui } from './ui.svelte';

const STORAGE = 'callboard.lang';

function stored(): Lang | null {
  try {
    const v = localStorage.getItem(STORAGE);
    return isLang(v) ? v : null;
  } catch {
    return null;
  }
}

function remember(tag: Lang) {
  try {
    localStorage.setItem(STORAGE, tag);
  } catch {
    // storage denied: the server setting still keeps it
  }
}

function fromUrl(): Lang | null {
  const v = new URLSearchParams(location.search).get('lang');
  return v ? pickLanguage([v]) : null;
}

/** The language to start in, before anyone is signed in. */
export function initialLanguage(): Lang {
  return fromUrl() ?? stored() ?? pickLanguage(navigator.languages?.length ? navigator.languages : [navigator.language]);
}

/** After sign-in: the user's saved language, unless the URL names one. */
export async function loadUserLanguage() {
  if (fromUrl()) return;
  try {
    const r = await call<{ language: string }>('GET', '/api/v1/me/language');
    if (r && isLang(r.language) && r.language !== currentLocale()) {
      remember(r.language);
      await loadLocale(r.language);
    }
  } catch {
    // no store or not answered: keep the browser's language
  }
}

/** The header menu: switch now, keep it in this browser and in the user's settings. */
export async function chooseLanguage(tag: Lang) {
  await loadLocale(tag);
  remember(tag);
  try {
    await call('PUT', '/api/v1/me/language', { language: tag });
  } catch (e) {
    ui.toast('error', t('lang.saveFailed', { reason: e instanceof Error ? e.message : String(e) }));
  }
}
