/**
 * Commands that act on one server take it from their argument (server-arg.ts) or, when the person ran
 * them from the palette and several servers qualify, from a quick pick.
 */
import * as vscode from 'vscode';
import { toQuickPickText } from '../../core/untrusted-text';
import type { ServerId } from '../connect/server-target';

export interface ServerChoice {
  id: ServerId;
  label: string;
  description?: string;
}

/** The one candidate, or the person's pick among several; undefined when there is none or they cancel. */
export async function pickServer(candidates: ServerChoice[], title: string): Promise<ServerId | undefined> {
  if (candidates.length <= 1) return candidates[0]?.id;
  const pick = await vscode.window.showQuickPick(
    candidates.map((c) => ({
      label: toQuickPickText(c.label, 120),
      ...(c.description ? { description: toQuickPickText(c.description, 200) } : {}),
      id: c.id,
    })),
    { title, placeHolder: vscode.l10n.t('Pick the MCP server') },
  );
  return pick?.id;
}
