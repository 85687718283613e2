/**
 * The Audit view: the latest report per audited server, grouped by OWASP MCP Top 10 item, then the
 * per-client sign-in compatibility group.
 */
import * as vscode from 'vscode';
import type { AuditReport } from '../../../core/audit/findings';
import { CompatClientNode, CompatGroupNode, type CompatDetailNode } from './compat-node';
import { FindingNode, type FindingDetailNode } from './finding-node';
import { AuditGroupNode } from './group-node';
import { AuditReportNode } from './report-node';
import { AuditTargetProblemNode, type AuditTargetProblem } from './target-problem-node';

export type AuditTreeNode =
  | AuditReportNode
  | AuditTargetProblemNode
  | AuditGroupNode
  | FindingNode
  | FindingDetailNode
  | CompatGroupNode
  | CompatClientNode
  | CompatDetailNode;

export class AuditTreeProvider implements vscode.TreeDataProvider<AuditTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly reports = new Map<string, AuditReport>();
  private readonly problems = new Map<string, AuditTargetProblem>();

  /** Shows `report`, replacing an earlier one (or a problem row) for the same target. */
  show(report: AuditReport): void {
    this.problems.delete(report.target);
    this.reports.delete(report.target);
    this.reports.set(report.target, report);
    void vscode.commands.executeCommand('setContext', 'sherpa.hasAudit', true);
    this.changed.fire();
  }

  /** Shows a server that has no report (could not be audited, or skipped), replacing an older row. */
  showProblem(problem: AuditTargetProblem): void {
    this.reports.delete(problem.key);
    this.problems.delete(problem.key);
    this.problems.set(problem.key, problem);
    this.changed.fire();
  }

  /** Servers shown without a report, most recent last. */
  listProblems(): AuditTargetProblem[] {
    return [...this.problems.values()];
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
      return [
        ...this.list()
          .reverse()
          .map((r) => new AuditReportNode(r)),
        ...this.listProblems()
          .reverse()
          .map((p) => new AuditTargetProblemNode(p)),
      ];
    if (
      node instanceof AuditReportNode ||
      node instanceof AuditGroupNode ||
      node instanceof FindingNode ||
      node instanceof CompatGroupNode ||
      node instanceof CompatClientNode
    )
      return node.children();
    return [];
  }

  dispose(): void {
    this.changed.dispose();
  }
}
