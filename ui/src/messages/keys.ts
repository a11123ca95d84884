// The keys every language must translate: the English catalogue's, including
// the lazily loaded screens' English files (type-only imports: nothing loads).
// messages/<tag>.ts is typed Catalogue, so a missing or unknown key fails
// `npm run check`; messages.test.ts checks placeholders and plural forms.
import type en from './en';
import type enAdmin from '../admin/messages.en';
import type enAlerts from '../admin/alertsMessages.en';
import type enHistory from '../history/messages.en';

export type MessageKey = keyof typeof en | keyof typeof enAdmin | keyof typeof enAlerts | keyof typeof enHistory;
export type Catalogue = Record<MessageKey, string>;
