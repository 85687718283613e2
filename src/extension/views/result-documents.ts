/**
 * Read-only documents for what Sherpa shows as text (tool results, the security validation report): a
 * TextDocumentContentProvider on the `sherpa-result` scheme. VS Code opens such documents read-only and
 * never asks to save them, unlike untitled editors.
 */
import * as vscode from 'vscode';

export const RESULT_SCHEME = 'sherpa-result';
/** Older results are dropped (their tabs then show a short note): a session runs a few dozen tools. */
const MAX_RESULTS = 50;

export class ResultDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private next = 1;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '_This result is no longer kept; run the tool again._\n';
  }

  /** Shows `markdown` in a read-only editor titled `title` (a `.md` name, so it renders as Markdown). */
  async show(title: string, markdown: string): Promise<vscode.TextDocument> {
    const name = title.replace(/[^\w.() -]+/g, '-').slice(0, 80) || 'result';
    const uri = vscode.Uri.from({ scheme: RESULT_SCHEME, path: `/${this.next++}/${name}.md` });
    this.contents.set(uri.toString(), markdown);
    while (this.contents.size > MAX_RESULTS) this.contents.delete(this.contents.keys().next().value!);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
    return doc;
  }

  dispose(): void {
    this.changed.dispose();
    this.contents.clear();
  }
}
