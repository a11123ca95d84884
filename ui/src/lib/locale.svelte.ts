// The active language as Svelte state, so every t() call in a template (and
// every $derived that calls t() or a formatter) re-runs when it changes.
// `version` moves when a language's messages arrive (they load lazily).
export const localeState = $state({ tag: 'en', version: 0 });
