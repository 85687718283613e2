/** The Audit view: the latest report per audited server, grouped by OWASP MCP Top 10 item. */
import * as vscode from 'vscode';
import type { AuditReport } from '../../../core/audit/findings';
import { FindingNode, type FindingDetailNode } from './finding-node';
import { AuditGroupNode } from './group-node';
import { AuditReportNode } from './report-node';

export type AuditTreeNode = AuditReportNode | AuditGroupNode | FindingNode | FindingDetailNode;

export class AuditTreeProvider implements vscode.TreeDataProvider<AuditTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly reports = new Map<string, AuditReport>();

  /** Shows `report`, replacing an earlier one for the same target. */
  show(report: AuditReport): void {
    this.reports.delete(report.target);
    this.reports.set(report.target, report);
    void vscode.commands.executeCommand('setContext', 'sherpa.hasAudit', true);
    this.changed.fire();
  }

  /** Reports shown, most recent last. */
  list(): AuditReport[] {
    return [...this.reports.values()];
  }

  getTreeItem(node: AuditTreeNode): vscode.TreeItem {
    return node;
  }

  getChildren(node?: AuditTreeNode): AuditTreeNode[] {
    if (!node)
      return this.list()
        .reverse()
        .map((r) => new AuditReportNode(r));
    if (node instanceof AuditReportNode || node instanceof AuditGroupNode || node instanceof FindingNode)
      return node.children();
    return [];
  }

  dispose(): void {
    this.changed.dispose();
  }
}
