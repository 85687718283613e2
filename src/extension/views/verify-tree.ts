/** The Verify Deployment view: the last report's checks, in order. */
import * as vscode from 'vscode';
import type { VerifyReport } from '../../core/azure/verify-deployment';
import { VerifyCheckNode } from './verify-check-node';

export class VerifyTreeProvider implements vscode.TreeDataProvider<VerifyCheckNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private current?: VerifyReport;

  get report(): VerifyReport | undefined {
    return this.current;
  }

  show(report: VerifyReport): void {
    this.current = report;
    void vscode.commands.executeCommand('setContext', 'sherpa.hasVerifyReport', true);
    this.changed.fire();
  }

  getTreeItem(node: VerifyCheckNode): vscode.TreeItem {
    return node;
  }

  getChildren(): VerifyCheckNode[] {
    return this.current?.checks.map((c) => new VerifyCheckNode(c)) ?? [];
  }

  dispose(): void {
    this.changed.dispose();
  }
}
