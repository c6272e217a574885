/**
 * A minimal `EventSource` over fetch, for tRPC's `httpSubscriptionLink` in Node 20 (which has no
 * EventSource): it can send headers (the session cookie) like a browser would. One connection, no
 * automatic reconnect: when the stream ends or fails it reports `error` with readyState CLOSED
 * and the tRPC link decides what to do.
 */
type Listener = (event: { type: string; data?: string; lastEventId?: string }) => void;

export class FetchEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSED = 2;
  readyState = 0;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly ac = new AbortController();

  constructor(
    readonly url: string,
    init?: { headers?: Record<string, string> },
  ) {
    void this.run(init?.headers ?? {});
  }

  addEventListener(type: string, l: Listener): void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(l);
  }

  removeEventListener(type: string, l: Listener): void {
    this.listeners.get(type)?.delete(l);
  }

  close(): void {
    this.readyState = this.CLOSED;
    this.ac.abort();
  }

  private emit(type: string, e: { data?: string; lastEventId?: string } = {}): void {
    for (const l of [...(this.listeners.get(type) ?? [])]) l({ type, ...e });
  }

  private async run(headers: Record<string, string>): Promise<void> {
    try {
      const res = await fetch(this.url, {
        headers: { accept: 'text/event-stream', ...headers },
        signal: this.ac.signal,
      });
      if (!res.ok || !res.body) throw new Error(`event stream answered ${res.status}`);
      this.readyState = this.OPEN;
      this.emit('open');
      const dec = new TextDecoder();
      let buf = '';
      for await (const chunk of res.body) {
        buf += dec.decode(chunk as Uint8Array, { stream: true });
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let type = 'message';
          let id: string | undefined;
          const data: string[] = [];
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            if (colon === 0) continue; // a comment
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event') type = value;
            else if (field === 'data') data.push(value);
            else if (field === 'id') id = value;
          }
          if (data.length > 0 || type !== 'message')
            this.emit(type, { data: data.join('\n'), ...(id === undefined ? {} : { lastEventId: id }) });
        }
      }
    } catch {
      // aborted by close(), or the connection failed: reported below unless closed on purpose.
    }
    if (this.readyState === this.CLOSED) return;
    this.readyState = this.CLOSED;
    this.emit('error');
  }
}
