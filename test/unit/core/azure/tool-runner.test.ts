/**
 * Issue 16 (MEDIUM 4): the Azure tools start without a shell on every platform. On POSIX a payload in an
 * argument reaches the tool as one argument and runs nothing; on Windows a batch file (az.cmd) goes
 * through `cmd.exe /d /s /c` with quoted arguments, and an argument cmd.exe would interpret is refused.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { resolveTool, runToolIn, toolCommand } from '../../../../src/core/azure/tool-runner';

const dir = mkdtempSync(join(tmpdir(), 'sherpa-tool-runner-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('tool runner (issue 16, MEDIUM 4)', { skip: process.platform === 'win32' }, () => {
  it('passes a shell payload as one argument: nothing runs, no marker file appears', async () => {
    const tool = join(dir, 'azfake');
    writeFileSync(tool, `#!/bin/sh\nfor a in "$@"; do printf '[%s]\\n' "$a"; done\n`);
    chmodSync(tool, 0o755);
    const savedPath = process.env.PATH;
    process.env.PATH = `${dir}:${savedPath}`;
    try {
      const payload = '0000; echo INJECTED > marker';
      const r = await runToolIn(dir)('azfake', ['account', payload, '$(touch marker2)']);
      assert.ok(r !== 'missing');
      assert.equal(r.stdout, `[account]\n[${payload}]\n[$(touch marker2)]\n`);
      assert.ok(!existsSync(join(dir, 'marker')) && !existsSync(join(dir, 'marker2')));
      assert.equal(await runToolIn(dir)('no-such-tool-here', []), 'missing');
    } finally {
      process.env.PATH = savedPath;
    }
  });
});

describe('starting az.cmd on Windows without a shell', () => {
  const env = { PATH: dir, PATHEXT: '.COM;.EXE;.BAT;.CMD', ComSpec: 'C:\\Windows\\system32\\cmd.exe' };

  it('resolveTool tries PATHEXT in order (azd.exe before azd.cmd; az finds az.cmd)', () => {
    writeFileSync(join(dir, 'az.cmd'), '');
    writeFileSync(join(dir, 'azd.exe'), '');
    writeFileSync(join(dir, 'azd.cmd'), '');
    assert.equal(resolveTool('az', env, 'win32'), join(dir, 'az.cmd'));
    assert.equal(resolveTool('azd', env, 'win32'), join(dir, 'azd.exe'));
    assert.equal(resolveTool('docker', env, 'win32'), undefined);
    assert.equal(readFileSync(join(dir, 'az.cmd'), 'utf8'), '');
  });

  it('an .exe is started directly; a .cmd through cmd.exe /d /s /c with each argument quoted', () => {
    assert.deepEqual(toolCommand('C:\\azd\\azd.exe', ['env', 'set', 'X'], 'win32', env), {
      file: 'C:\\azd\\azd.exe',
      args: ['env', 'set', 'X'],
    });
    assert.deepEqual(
      toolCommand(
        'C:\\Program Files\\az\\az.cmd',
        ['account', 'show', '--subscription', 'a-b'],
        'win32',
        env,
      ),
      {
        file: 'C:\\Windows\\system32\\cmd.exe',
        args: ['/d', '/s', '/c', '""C:\\Program Files\\az\\az.cmd" "account" "show" "--subscription" "a-b""'],
        windowsVerbatimArguments: true,
      },
    );
  });

  it('refuses an argument cmd.exe would interpret (quotes, %VAR%, !, ^, line breaks, & | < >)', () => {
    for (const bad of ['a" & echo INJECTED', '%PATH%', '!x!', 'a^b', 'a\nb', 'a & b', 'a|b', 'a>b'])
      assert.throws(
        () => toolCommand('C:\\az\\az.cmd', ['account', bad], 'win32', env),
        /cmd\.exe would interpret/,
      );
  });
});
