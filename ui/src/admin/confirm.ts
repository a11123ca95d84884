// The admin screens' confirm before a destructive step (delete, revoke).
import { ui } from '../lib/ui.svelte';

export function confirmDanger(text: { title: string; body: string; confirm: string }, run: () => void) {
  ui.dialog = { kind: 'confirm', ...text, danger: true, run };
}
