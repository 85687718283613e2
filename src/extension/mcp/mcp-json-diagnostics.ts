/**
 * Diagnostics on MCP client configurations — the workspace's `.vscode/mcp.json` and the user's own
 * `mcp.json` when it is open — from core's lintMcpConfig: literal credentials (MCP01) and plain http off
 * loopback. A literal secret gets a quick fix that moves it into a password `inputs` entry.
 */
import * as vscode from 'vscode';
import { fixLiteralSecret, lintMcpConfig, type McpConfigIssue } from '../../core/mcp-config/lint-mcp-config';

export const MCP_JSON_DIAGNOSTIC_SOURCE = 'sherpa';

/** `.vscode/mcp.json`, or a file named mcp.json in VS Code's user folder. */
export function isMcpConfig(doc: vscode.TextDocument): boolean {
  const path = doc.uri.path;
  return /\/\.vscode\/mcp\.json$/.test(path) || /\/User\/(profiles\/[^/]+\/)?mcp\.json$/.test(path);
}

export class McpJsonDiagnostics implements vscode.CodeActionProvider, vscode.Disposable {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];
  private readonly collection = vscode.languages.createDiagnosticCollection('sherpa-mcp-json');
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor() {
    this.subscriptions.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.update(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.update(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.collection.delete(d.uri)),
      vscode.languages.registerCodeActionsProvider(
        [{ pattern: '**/.vscode/mcp.json' }, { pattern: '**/User/**/mcp.json' }],
        this,
        { providedCodeActionKinds: McpJsonDiagnostics.providedCodeActionKinds },
      ),
    );
    for (const d of vscode.workspace.textDocuments) this.update(d);
  }

  /** Recomputes the diagnostics of `doc`; returns them (for tests). */
  update(doc: vscode.TextDocument): vscode.Diagnostic[] {
    if (!isMcpConfig(doc)) return [];
    const diagnostics = lintMcpConfig(doc.getText()).map((issue) => toDiagnostic(doc, issue));
    this.collection.set(doc.uri, diagnostics);
    return diagnostics;
  }

  provideCodeActions(
    doc: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const text = doc.getText();
    const issues = lintMcpConfig(text);
    const actions: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      if (d.source !== MCP_JSON_DIAGNOSTIC_SOURCE || d.code !== 'literal-secret') continue;
      const issue = issues.find(
        (i) => i.kind === 'literal-secret' && doc.offsetAt(d.range.start) === i.offset,
      );
      const edits = issue ? fixLiteralSecret(text, issue) : [];
      if (!issue || edits.length === 0) continue;
      const action = new vscode.CodeAction(
        vscode.l10n.t('Move the secret into a password input (${input:…})'),
        vscode.CodeActionKind.QuickFix,
      );
      action.diagnostics = [d];
      action.isPreferred = true;
      action.edit = new vscode.WorkspaceEdit();
      for (const e of edits) {
        action.edit.replace(
          doc.uri,
          new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)),
          e.content,
        );
      }
      actions.push(action);
    }
    return actions;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

function toDiagnostic(doc: vscode.TextDocument, issue: McpConfigIssue): vscode.Diagnostic {
  const range = new vscode.Range(doc.positionAt(issue.offset), doc.positionAt(issue.offset + issue.length));
  const d = new vscode.Diagnostic(
    range,
    issue.message,
    issue.kind === 'literal-secret' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
  );
  d.source = MCP_JSON_DIAGNOSTIC_SOURCE;
  d.code = issue.kind;
  return d;
}
