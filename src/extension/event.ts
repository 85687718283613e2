/**
 * A minimal event emitter with the shape of `vscode.Event` (listener in, disposable out), so the
 * extension's state holders (connections, tokens) need no `vscode` import and run in plain unit tests;
 * VS Code's views subscribe to them exactly as to a `vscode.EventEmitter`.
 */
export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (e: T) => unknown) => Disposable;

export class Emitter<T> implements Disposable {
  private listeners = new Set<(e: T) => unknown>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(e: T): void {
    // A copy: a listener that unsubscribes while being called must not skip the next one.
    for (const l of [...this.listeners]) l(e);
  }

  dispose(): void {
    this.listeners.clear();
  }
}
