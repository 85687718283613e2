/** "Run Tool…": arguments from an input box (JSON), result in an editor. */
import * as vscode from 'vscode';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ConnectionManager, ServerKind } from '../connect/connection-manager';
import type { SherpaLog } from '../output-log';
import { showFailure } from '../show-failure';

export interface ToolTarget {
  kind: ServerKind;
  name: string;
}

/**
 * Runs a tool. `target` comes from a tree item (ToolNode has `kind` and `tool.name`) or a caller; `args`
 * skips the input box (tests, other commands). Returns the result, or undefined if cancelled/failed.
 */
export async function runToolCommand(
  connections: ConnectionManager,
  log: SherpaLog,
  target: ToolTarget | { kind: ServerKind; tool: { name: string } } | undefined,
  args?: Record<string, unknown>,
): Promise<CallToolResult | undefined> {
  const t = target
    ? { kind: target.kind, name: 'tool' in target ? target.tool.name : target.name }
    : await pickTool(connections);
  if (!t) return undefined;
  let toolArgs = args;
  if (!toolArgs) {
    const tool = connections.get(t.kind).tools.find((x) => x.name === t.name);
    const skeleton = Object.fromEntries(Object.keys(tool?.inputSchema?.properties ?? {}).map((k) => [k, '']));
    const raw = await vscode.window.showInputBox({
      title: `Arguments for ${t.name} (JSON object)`,
      value: JSON.stringify(skeleton),
      prompt: tool?.description,
      validateInput: (v) => (parseObject(v) ? undefined : 'Enter a JSON object, e.g. {"user_id": "alice"}'),
    });
    if (raw === undefined) return undefined;
    toolArgs = parseObject(raw)!;
  }
  try {
    const result = await connections.callTool(t.kind, t.name, toolArgs);
    const text = result.content.map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');
    log.info(`Tool ${t.name} on the ${t.kind} server returned${result.isError ? ' an error' : ''}`);
    const doc = await vscode.workspace.openTextDocument({
      language: 'markdown',
      content: `# ${t.name} (${t.kind} server)${result.isError ? ' — tool error' : ''}\n\nArguments: \`${JSON.stringify(toolArgs)}\`\n\n\`\`\`json\n${text}\n\`\`\`\n`,
    });
    await vscode.window.showTextDocument(doc, { preview: true });
    return result;
  } catch (err) {
    showFailure(log, `Tool ${t.name} failed`, err);
    return undefined;
  }
}

async function pickTool(connections: ConnectionManager): Promise<ToolTarget | undefined> {
  const items = connections
    .list()
    .flatMap((c) =>
      c.tools.map((tool) => ({ label: tool.name, description: `${c.kind} server`, serverKind: c.kind })),
    );
  if (!items.length) {
    void vscode.window.showWarningMessage('No connected server has tools yet. Connect a server first.');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(items, { title: 'Run which tool?' });
  return pick ? { kind: pick.serverKind, name: pick.label } : undefined;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
