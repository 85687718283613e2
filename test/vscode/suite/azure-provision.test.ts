/**
 * Provision inside a real extension host: the preflight runs the stand-in azd/az/docker
 * (test/support/azure/stand-in-tools.ts) found on the extension host's PATH, and the deployment itself
 * is a real vscode.Task per step, each a ProcessExecution of the stand-in azd by its full path (no shell). The outputs azd recorded are read back into the
 * settings. Stand-ins test Sherpa's wiring, not azd.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { createStandIns, type StandInScenario, type StandIns } from '../../support/azure/stand-in-tools';
import { clearSetting, readSetting, useAzureStandIn, type AzureStandInSession } from './azure-stand-in';

const AZD_ENV = {
  AZURE_ENV_NAME: 'sherpa-test',
  AZURE_SUBSCRIPTION_ID: '11111111-2222-3333-4444-555555555555',
  AZURE_RESOURCE_GROUP: 'rg-sherpa-test',
  SECURE_SERVER_URL: 'https://ca-secure-abc123.example-env.eastus.azurecontainerapps.io/mcp',
  VULNERABLE_SERVER_URL: 'https://ca-vulnerable-abc123.example-env.eastus.azurecontainerapps.io/mcp',
};
const TERMINAL_ENV = 'terminal.integrated.env.linux';

suite('Azure: Provision (preflight, the vscode.Task, outputs into settings)', function () {
  this.timeout(120_000);
  let x: AzureStandInSession;
  let tools: StandIns | undefined;
  const savedPath = process.env.PATH;
  let azureYaml: vscode.Uri | undefined;

  /** Stand-ins for this test: on the extension host's PATH (preflight) and the task terminal's. */
  async function standIns(s: StandInScenario): Promise<StandIns> {
    tools?.close();
    tools = createStandIns(s);
    process.env.PATH = tools.binDir;
    await vscode.workspace
      .getConfiguration()
      .update(TERMINAL_ENV, { PATH: `${tools.binDir}:\${env:PATH}` }, vscode.ConfigurationTarget.Global);
    return tools;
  }

  suiteSetup(async () => {
    x = await useAzureStandIn();
    for (const k of [
      'azure.subscriptionId',
      'secureServer.url',
      'vulnerableServer.url',
      'azure.resourceGroup',
    ])
      await clearSetting(k);
  });
  suiteTeardown(async () => {
    process.env.PATH = savedPath;
    tools?.close();
    if (azureYaml) await vscode.workspace.fs.delete(azureYaml).then(undefined, () => undefined);
    await vscode.workspace
      .getConfiguration()
      .update(TERMINAL_ENV, undefined, vscode.ConfigurationTarget.Global);
    await x?.restore();
  });

  test('without azure.yaml in the workspace: offers to create the project; Cancel ends quietly, runs nothing', async () => {
    const t = await standIns({ azdEnv: AZD_ENV });
    x.ui.script({ confirm: false });
    const code = await vscode.commands.executeCommand<number | undefined>('sherpa.azure.provision');
    assert.equal(code, undefined);
    assert.deepEqual(
      x.ui.prompts.map((p) => [p.kind, p.title, p.items.at(-1)]),
      [
        [
          'confirm',
          'Provision needs a deployment project: azure.yaml and its infra/ folder.',
          'Create Project…',
        ],
      ],
    );
    assert.deepEqual(x.ui.notifications, [], "the person's Cancel is not an error");
    assert.deepEqual(t.calls(), []);
    // Escape on the folder picker after agreeing: the same.
    x.ui.script({ confirm: true }, { escape: true });
    assert.equal(await vscode.commands.executeCommand('sherpa.azure.provision'), undefined);
    assert.deepEqual(x.ui.notifications, []);
    assert.deepEqual(t.calls(), []);
  });

  test('Marketplace install: Provision writes the deployment project into the picked folder and runs azd there', async () => {
    const t = await standIns({ azdEnv: AZD_ENV });
    const folder = mkdtempSync(join(tmpdir(), 'sherpa-project-'));
    const tasks: vscode.Task[] = [];
    const sub = vscode.tasks.onDidStartTask((e) => tasks.push(e.execution.task));
    try {
      x.ui.script({ confirm: true }, { folder });
      const code = await vscode.commands.executeCommand<number | undefined>('sherpa.azure.provision');
      assert.equal(code, 0, x.ui.notifications.map((n) => n.message).join('\n'));
      for (const f of ['azure.yaml', 'infra/main.bicep', 'infra/Dockerfile', 'sherpa.mjs'])
        assert.ok(existsSync(join(folder, f)), `${f} written`);
      assert.equal(tasks.length, 3);
      for (const task of tasks)
        assert.equal((task.execution as vscode.ProcessExecution).options?.cwd, folder, 'azd runs there');
      assert.deepEqual(
        t.calls().filter((c) => /^azd (provision|deploy)/.test(c)),
        ['azd provision --no-prompt', 'azd deploy --no-prompt', 'azd provision --no-prompt'],
      );
    } finally {
      sub.dispose();
      rmSync(folder, { recursive: true, force: true });
      for (const k of ['secureServer.url', 'vulnerableServer.url', 'azure.resourceGroup'])
        await clearSetting(k);
    }
  });

  test('Create Deployment Project…: a folder with files is written to only after the person agrees', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sherpa-project-'));
    try {
      writeFileSync(join(folder, 'azure.yaml'), 'name: mine\n');
      x.ui.script({ folder }, { confirm: false });
      assert.equal(await vscode.commands.executeCommand('sherpa.azure.createProject'), undefined);
      assert.equal(readFileSync(join(folder, 'azure.yaml'), 'utf8'), 'name: mine\n', 'left as it was');
      assert.deepEqual(readdirSync(folder), ['azure.yaml']);
      assert.equal(x.ui.notifications.length, 0, 'Cancel on the modal is not an error');
      x.ui.script({ folder }, { confirm: true });
      assert.equal(await vscode.commands.executeCommand('sherpa.azure.createProject'), folder);
      assert.match(readFileSync(join(folder, 'azure.yaml'), 'utf8'), /^name: sherpa-mcp-identity$/m);
      assert.deepEqual(
        x.ui.notifications.map((n) => n.kind),
        ['info'],
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('preflight names what is missing (az, docker not on PATH; azd signed out) with the fix; no task', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test workbench opens a folder');
    azureYaml = vscode.Uri.joinPath(folder.uri, 'azure.yaml');
    await vscode.workspace.fs.writeFile(azureYaml, new TextEncoder().encode('name: sherpa-test\n'));
    const t = await standIns({ tools: ['azd'], azdSignedIn: false, azdEnv: AZD_ENV });
    let started = 0;
    const sub = vscode.tasks.onDidStartTask(() => started++);
    try {
      x.ui.script();
      const code = await vscode.commands.executeCommand<number | undefined>('sherpa.azure.provision');
      assert.equal(code, undefined);
    } finally {
      sub.dispose();
    }
    assert.deepEqual(x.ui.progressTitles, ['checking azd, az and docker…']);
    assert.equal(x.ui.notifications.length, 1);
    const n = x.ui.notifications[0]!;
    assert.equal(n.kind, 'error');
    assert.match(n.message, /^Sherpa: Provision preflight failed — /);
    assert.match(
      n.message,
      /az \(Azure CLI\) is not on PATH: Install it: https:\/\/aka\.ms\/installazurecli/,
    );
    assert.match(n.message, /docker is not on PATH \(azd deploy builds the image with it\): Install Docker/);
    assert.match(n.message, /azd is not signed in: Run `azd auth login`/);
    assert.doesNotMatch(n.message, /azd \(Azure Developer CLI\) is not on PATH/, 'azd is there');
    assert.equal(started, 0, 'no task started');
    assert.deepEqual(
      t.calls().filter((c) => /^azd (provision|deploy)/.test(c)),
      [],
    );
  });

  test('all present: one vscode.Task per step, each a ProcessExecution (no shell); outputs land in user settings', async () => {
    const t = await standIns({ azdEnv: AZD_ENV });
    const tasks: vscode.Task[] = [];
    const sub = vscode.tasks.onDidStartTask((e) => tasks.push(e.execution.task));
    let code: number | undefined;
    try {
      x.ui.script();
      code = await vscode.commands.executeCommand<number | undefined>('sherpa.azure.provision');
    } finally {
      sub.dispose();
    }
    assert.equal(code, 0, x.ui.notifications.map((n) => n.message).join('\n'));
    const azd = `${t.binDir}/azd`;
    // Issue 16 (MEDIUM 4): argv, never a command line a shell would parse.
    assert.deepEqual(
      tasks.map((task) => {
        assert.ok(
          task.execution instanceof vscode.ProcessExecution,
          'a ProcessExecution, not a ShellExecution',
        );
        const exec = task.execution as vscode.ProcessExecution;
        assert.equal(exec.options?.cwd, vscode.workspace.workspaceFolders![0]!.uri.fsPath);
        assert.equal(task.source, 'sherpa');
        return [task.definition.type, task.definition.index, exec.process, ...exec.args];
      }),
      [
        ['sherpa-azure', 0, azd, 'provision', '--no-prompt'],
        ['sherpa-azure', 1, azd, 'deploy', '--no-prompt'],
        ['sherpa-azure', 2, azd, 'provision', '--no-prompt'],
      ],
    );
    assert.deepEqual(
      t.calls().filter((c) => /^azd (provision|deploy)/.test(c)),
      ['azd provision --no-prompt', 'azd deploy --no-prompt', 'azd provision --no-prompt'],
    );
    assert.deepEqual(x.ui.progressTitles, [
      'checking azd, az and docker…',
      'provisioning with azd (see the terminal)…',
    ]);
    // Every setting that chooses where credentials go is machine-scoped: user settings, never the workspace.
    const c = vscode.workspace.getConfiguration('sherpa');
    assert.equal(c.inspect('secureServer.url')?.globalValue, AZD_ENV.SECURE_SERVER_URL);
    assert.equal(c.inspect('vulnerableServer.url')?.globalValue, AZD_ENV.VULNERABLE_SERVER_URL);
    assert.equal(c.inspect('azure.resourceGroup')?.globalValue, AZD_ENV.AZURE_RESOURCE_GROUP);
    assert.deepEqual(x.ui.notifications, [
      {
        kind: 'info',
        message: `Sherpa: provisioned. Secure server ${AZD_ENV.SECURE_SERVER_URL}. Next: Register Entra App.`,
      },
    ]);
    for (const k of ['secureServer.url', 'vulnerableServer.url', 'azure.resourceGroup'])
      await clearSetting(k);
  });

  test('issue 16 (MEDIUM 4): a subscription id carrying `; echo INJECTED > marker` is refused; nothing runs', async () => {
    const t = await standIns({ azdEnv: AZD_ENV });
    const folder = vscode.workspace.workspaceFolders![0]!.uri;
    const marker = vscode.Uri.joinPath(folder, 'marker');
    await vscode.workspace
      .getConfiguration('sherpa')
      .update(
        'azure.subscriptionId',
        `${AZD_ENV.AZURE_SUBSCRIPTION_ID}; echo INJECTED > marker`,
        vscode.ConfigurationTarget.Global,
      );
    let started = 0;
    const sub = vscode.tasks.onDidStartTask(() => started++);
    try {
      x.ui.script();
      const code = await vscode.commands.executeCommand<number | undefined>('sherpa.azure.provision');
      assert.equal(code, undefined);
    } finally {
      sub.dispose();
      await clearSetting('azure.subscriptionId');
    }
    assert.equal(started, 0, 'no task started');
    assert.deepEqual(t.calls(), [], 'no tool ran, not even the preflight');
    await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(marker)), 'no marker file');
  });

  test('azd failing in the task: its exit code, a message pointing at the terminal, settings untouched', async () => {
    const t = await standIns({ azdEnv: AZD_ENV, azdProvisionExit: 3 });
    x.ui.script();
    const code = await vscode.commands.executeCommand<number | undefined>('sherpa.azure.provision');
    assert.equal(code, 3);
    assert.deepEqual(
      t.calls().filter((c) => /^azd (provision|deploy)/.test(c)),
      ['azd provision --no-prompt'],
      'the steps stop at the failing one',
    );
    assert.deepEqual(x.ui.notifications, [
      { kind: 'error', message: 'Sherpa: azd failed (exit 3); its output is in the terminal.' },
    ]);
    assert.notEqual(readSetting('secureServer.url'), AZD_ENV.SECURE_SERVER_URL);
  });
});
