// The list's query string as last shown, so a call page's "All calls" link
// returns to the same filters, also after a reload of the call page (kept in
// this tab's sessionStorage).
const KEY = 'callboard.historyList';

function tab(): Storage | null {
  try {
    return sessionStorage;
  } catch {
    return null;
  }
}

export const listNav = {
  get search(): string {
    return tab()?.getItem(KEY) ?? '';
  },
  set search(s: string) {
    try {
      tab()?.setItem(KEY, s);
    } catch {
      // storage denied: "All calls" just opens the unfiltered list
    }
  },
};
