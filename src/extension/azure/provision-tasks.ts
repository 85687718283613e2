/**
 * Provision's steps as visible, cancellable vscode.Tasks — one `ProcessExecution` per step (program +
 * argument vector), run one after another and stopped at the first failure. No `ShellExecution`: a
 * command line joined with spaces would hand any value in it (a subscription id from settings or from
 * the repository's `.azure/<env>/.env`) to the terminal's shell. The program is found on the extension
 * host's PATH and passed by full path (tool-runner.ts; on Windows a batch file goes through
 * `cmd.exe /d /s /c` with its quoted, allowlisted arguments).
 */
import * as vscode from 'vscode';
import type { ProvisionStep } from '../../core/azure/provision';
import { resolveTool, toolCommand } from '../../core/azure/tool-runner';
import { SherpaError } from '../../core/errors';

export const PROVISION_TASK_TYPE = 'sherpa-azure';

export function provisionTask(step: ProvisionStep, index: number, cwd: string): vscode.Task {
  const file = resolveTool(step.command);
  if (!file) {
    throw new SherpaError('AZURE_TOOL_FAILED', `${step.command} is not on PATH`, {
      hint: 'Install it (the preflight names where from) and reload the window.',
    });
  }
  const command = toolCommand(file, step.args);
  const task = new vscode.Task(
    { type: PROVISION_TASK_TYPE, step: 'provision', index },
    vscode.TaskScope.Workspace,
    `Provision to Azure: ${step.label}`,
    'sherpa',
    new vscode.ProcessExecution(command.file, command.args, { cwd }),
  );
  task.presentationOptions = {
    reveal: vscode.TaskRevealKind.Always,
    panel: vscode.TaskPanelKind.Dedicated,
  };
  return task;
}

/** Runs the steps in order; resolves to the first non-zero exit code, or 0 when every step succeeded. */
export async function runProvisionTasks(steps: ProvisionStep[], cwd: string): Promise<number> {
  const tasks = steps.map((s, i) => provisionTask(s, i, cwd));
  for (const task of tasks) {
    const code = await runTask(task);
    if (code !== 0) return code;
  }
  return 0;
}

async function runTask(task: vscode.Task): Promise<number> {
  // Subscribe before starting: a fast process can end before executeTask's promise settles.
  let execution: vscode.TaskExecution | undefined;
  const ended: { execution: vscode.TaskExecution; code: number }[] = [];
  let settle: ((code: number) => void) | undefined;
  const sub = vscode.tasks.onDidEndTaskProcess((e) => {
    const code = e.exitCode ?? 1;
    if (execution && e.execution === execution) settle?.(code);
    else ended.push({ execution: e.execution, code });
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      settle = resolve;
      vscode.tasks.executeTask(task).then((x) => {
        execution = x;
        const early = ended.find((e) => e.execution === x);
        if (early) resolve(early.code);
      }, reject);
    });
  } finally {
    sub.dispose();
  }
}
