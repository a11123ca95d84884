// A list an admin screen shows: loading, the rows, or the reason it failed.
export class Loadable<T> {
  data = $state<T | null>(null);
  error = $state('');
  loading = $state(false);
  private seq = 0;

  constructor(private fetchRows: () => Promise<T>) {}

  async load() {
    const mine = ++this.seq; // a slower, older answer must not overwrite a newer one
    this.loading = true;
    this.error = '';
    try {
      const rows = await this.fetchRows();
      if (mine === this.seq) this.data = rows;
    } catch (e) {
      if (mine === this.seq) this.error = e instanceof Error ? e.message : String(e);
    } finally {
      if (mine === this.seq) this.loading = false;
    }
  }
}
