/**
 * "Sherpa: Run Tool…": pick the server and the tool (from the Command Palette) or take them from a tree
 * item; arguments prefilled from the tool's input schema (the signed-in user's own id where a field
 * names a user) and validated against that schema before anything is sent; the result in a read-only
 * editor.
 */
import { toQuickPickText } from '../../core/untrusted-text';
import * as vscode from 'vscode';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { countOf } from '../../core/plural';
import { createArgumentChecker, prefillArguments, type ArgumentHints } from '../../core/mcp/tool-arguments';
import type { ConnectionManager } from '../connect/connection-manager';
import type { ServerId } from '../connect/server-target';
import type { SherpaLog } from '../output-log';
import { showFailure } from '../show-failure';
import type { ResultDocuments } from '../views/result-documents';

export interface ToolTarget {
  server: ServerId;
  name: string;
}

/**
 * Runs a tool. `target` comes from a tree item (ToolNode has `server` and `tool.name`) or a caller; `args`
 * skips the input box (tests, other commands) but not the schema check. Returns the result, or
 * undefined if cancelled or failed (after telling the person why).
 */
export async function runToolCommand(
  connections: ConnectionManager,
  log: SherpaLog,
  results: ResultDocuments,
  target: ToolTarget | { server: ServerId; tool: { name: string } } | undefined,
  args?: Record<string, unknown>,
): Promise<CallToolResult | undefined> {
  const t = target
    ? { server: target.server, name: 'tool' in target ? target.tool.name : target.name }
    : await pickServerAndTool(connections);
  if (!t) return undefined;
  const server = connections.find(t.server);
  if (!server) {
    showFailure(
      log,
      vscode.l10n.t('Tool {0} failed', t.name),
      new Error(`Sherpa knows no server "${t.server}"`),
    );
    return undefined;
  }
  const tool = server.tools.find((x) => x.name === t.name);
  const check = createArgumentChecker(tool?.inputSchema);
  let toolArgs: Record<string, unknown>;
  if (args) {
    const checked = check(JSON.stringify(args));
    if (!checked.ok) {
      showFailure(
        log,
        vscode.l10n.t('Arguments for {0} do not match its input schema', t.name),
        new Error(checked.message),
      );
      return undefined;
    }
    toolArgs = checked.args;
  } else {
    const prefilled = prefillArguments(tool?.inputSchema, await argumentHints(connections, t.server, tool));
    const raw = await vscode.window.showInputBox({
      title: vscode.l10n.t(
        "Arguments for {0} on the {1} (JSON, checked against the tool's input schema)",
        t.name,
        server.noun,
      ),
      value: JSON.stringify(prefilled),
      prompt: tool?.description,
      ignoreFocusOut: true,
      validateInput: (v) => {
        const r = check(v);
        return r.ok ? undefined : r.message;
      },
    });
    if (raw === undefined) return undefined;
    const checked = check(raw);
    if (!checked.ok) return undefined; // the input box does not accept it; defensive
    if ('unchecked' in checked) log.warn(`Arguments for ${t.name} sent unchecked: ${checked.unchecked}`);
    toolArgs = checked.args;
  }
  try {
    const result = await connections.callTool(t.server, t.name, toolArgs);
    const text = result.content.map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');
    log.info(`Tool ${t.name} on the ${server.noun} returned${result.isError ? ' an error' : ''}`);
    await results.show(
      `${t.name} (${server.noun})`,
      `# ${t.name} (${server.noun})${result.isError ? ' — tool error' : ''}\n\nArguments: \`${JSON.stringify(toolArgs)}\`\n\n\`\`\`json\n${text}\n\`\`\`\n`,
    );
    return result;
  } catch (err) {
    showFailure(log, vscode.l10n.t('Tool {0} failed', t.name), err);
    return undefined;
  }
}

/**
 * What Sherpa knows about the signed-in person for prefilling: on an OAuth server with a `whoami` tool
 * (the secure server's names the caller's own directory id). Only asked when the tool has a field to
 * fill with it.
 */
async function argumentHints(
  connections: ConnectionManager,
  id: ServerId,
  tool: Tool | undefined,
): Promise<ArgumentHints> {
  const props = Object.keys(tool?.inputSchema?.properties ?? {});
  const server = connections.find(id);
  const hasWhoami = server?.tools.some((x) => x.name === 'whoami');
  if (server?.auth !== 'oauth' || !hasWhoami || !props.some((p) => /^(user_?id|userid|user)$/i.test(p)))
    return {};
  try {
    const who = await connections.callTool(id, 'whoami', {});
    const first = who.content.find((c) => c.type === 'text');
    const parsed = first && first.type === 'text' ? (JSON.parse(first.text) as { user_id?: unknown }) : {};
    return typeof parsed.user_id === 'string' ? { userId: parsed.user_id } : {};
  } catch {
    return {}; // prefilling is a convenience: fall back to the schema's example
  }
}

async function pickServerAndTool(connections: ConnectionManager): Promise<ToolTarget | undefined> {
  const withTools = connections.list().filter((c) => c.status === 'connected' && c.tools.length);
  if (!withTools.length) {
    // Not awaited: the command finishes; the buttons connect when clicked.
    const secure = vscode.l10n.t('Connect Secure Server');
    const vulnerable = vscode.l10n.t('Connect Vulnerable Server');
    void vscode.window
      .showWarningMessage(
        vscode.l10n.t('No server is connected yet, so there is no tool to run. Connect one first.'),
        secure,
        vulnerable,
      )
      .then((choice) => {
        if (choice === secure) void vscode.commands.executeCommand('sherpa.connectSecure');
        if (choice === vulnerable) void vscode.commands.executeCommand('sherpa.connectVulnerable');
      });
    return undefined;
  }
  let server = withTools[0]!;
  if (withTools.length > 1) {
    const pick = await vscode.window.showQuickPick(
      withTools.map((c) => ({
        label: toQuickPickText(c.label, 120),
        description: `${countOf(c.tools.length, 'tool')} · ${toQuickPickText(c.url, 200)}`,
        serverId: c.id,
      })),
      { title: vscode.l10n.t('Run Tool: which server?'), placeHolder: vscode.l10n.t('Pick the MCP server') },
    );
    if (!pick) return undefined;
    server = withTools.find((c) => c.id === pick.serverId)!;
  }
  const tool = await vscode.window.showQuickPick(
    // Name, title and description are the server's words: no icons, links or controls from them.
    server.tools.map((x) => ({
      label: toQuickPickText(x.name, 100),
      description: toQuickPickText(x.title ?? ''),
      detail: toQuickPickText(x.description ?? '', 300),
      name: x.name,
    })),
    {
      title: vscode.l10n.t('Run Tool on {0}: which tool?', toQuickPickText(server.label, 120)),
      matchOnDetail: true,
    },
  );
  return tool ? { server: server.id, name: tool.name } : undefined;
}
