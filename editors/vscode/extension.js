// VS Code client of the antq-rules language server (`antq lsp`).
//
// Highlighting comes from the TextMate grammar alone; this script starts the
// language server configured in `antq.server.command` over stdio for documents
// of language `antq`, restarts it when the settings change, and says how to
// install it when the command cannot be found.
'use strict';

const fs = require('fs');
const path = require('path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

const INSTALL = "pip install 'antq-rules[lsp]'";

/** @type {LanguageClient | undefined} */
let client;
/** @type {vscode.OutputChannel | undefined} */
let output;
/** Serialises start/stop, so quick setting changes do not race. */
let pending = Promise.resolve();

function settings() {
  const config = vscode.workspace.getConfiguration('antq');
  let command = config.get('server.command', ['antq', 'lsp']);
  if (typeof command === 'string') command = command.trim().split(/\s+/);
  if (!Array.isArray(command) || command.length === 0 || !command[0]) command = ['antq', 'lsp'];
  return { enabled: config.get('server.enabled', true), command: command.map(expand) };
}

/** `${workspaceFolder}`, `${userHome}` and `~` in the command. */
function expand(part) {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  const home = process.env.HOME || process.env.USERPROFILE || '';
  let out = String(part)
    .replace(/\$\{workspaceFolder\}/g, folder)
    .replace(/\$\{userHome\}/g, home);
  if (out === '~' || out.startsWith('~/')) out = home + out.slice(1);
  return out;
}

/** The program's full path, as the system would find it, or undefined. */
function which(program) {
  const extensions =
    process.platform === 'win32'
      ? ['', ...(process.env.PATHEXT || '.EXE;.CMD;.BAT;.COM').split(';')]
      : [''];
  const isFile = (candidate) => {
    try {
      const stat = fs.statSync(candidate);
      if (!stat.isFile()) return false;
      if (process.platform !== 'win32') fs.accessSync(candidate, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  const tryAll = (base) => extensions.map((ext) => base + ext).find(isFile);
  if (program.includes('/') || program.includes('\\')) {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const full = path.isAbsolute(program) || !folder ? program : path.join(folder, program);
    return tryAll(full);
  }
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const found = tryAll(path.join(dir, program));
    if (found) return found;
  }
  return undefined;
}

async function notFound(program) {
  const copy = 'Sao chép lệnh cài / Copy install command';
  const open = 'Cài đặt / Settings';
  const choice = await vscode.window.showErrorMessage(
    `Không tìm thấy lệnh \`${program}\` của máy chủ ngôn ngữ ANTQ: cài bằng \`${INSTALL}\` ` +
      `rồi khởi động lại, hoặc đặt "antq.server.command". ` +
      `— The ANTQ language server command \`${program}\` was not found: install it with ` +
      `\`${INSTALL}\` and restart, or set "antq.server.command". ` +
      `(Highlighting works without it. / Tô màu cú pháp vẫn hoạt động.)`,
    copy,
    open,
  );
  if (choice === copy) await vscode.env.clipboard.writeText(INSTALL);
  if (choice === open) await vscode.commands.executeCommand('workbench.action.openSettings', 'antq.server');
}

async function startClient() {
  const { enabled, command } = settings();
  if (!enabled) return;
  const [program, ...args] = command;
  const resolved = which(program);
  if (!resolved) {
    output.appendLine(`antq: command not found: ${program} (${INSTALL})`);
    void notFound(program);
    return;
  }
  const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const serverOptions = {
    command: resolved,
    args,
    transport: TransportKind.stdio,
    options: { cwd, env: { ...process.env, PYTHONIOENCODING: 'utf-8' } },
  };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'antq' },
      { scheme: 'untitled', language: 'antq' },
    ],
    outputChannel: output,
    synchronize: {
      // A ruleset's `use` and `extends` name other files: tell the server when they change.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.antq'),
    },
  };
  const next = new LanguageClient('antq', 'ANTQ rules', serverOptions, clientOptions);
  try {
    await next.start();
    client = next;
  } catch (err) {
    const message = err && err.message ? err.message : String(err);
    output.appendLine(`antq: the language server did not start: ${message}`);
    if (/ENOENT/.test(message)) {
      void notFound(program);
    } else {
      void vscode.window.showErrorMessage(
        `Máy chủ ngôn ngữ ANTQ không khởi động được (\`${command.join(' ')}\`); ` +
          `kiểm tra đã cài \`${INSTALL}\`. — The ANTQ language server did not start ` +
          `(\`${command.join(' ')}\`); check that \`${INSTALL}\` is installed. ${message}`,
      );
    }
    try {
      await next.dispose();
    } catch {
      // it never ran
    }
  }
}

async function stopClient() {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch (err) {
      output.appendLine(`antq: stopping the language server: ${err}`);
    }
  }
}

function restart() {
  pending = pending
    .then(stopClient)
    .then(startClient)
    .catch((err) => output.appendLine(`antq: ${err && err.stack ? err.stack : err}`));
  return pending;
}

function activate(context) {
  output = vscode.window.createOutputChannel('ANTQ rules');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('antq.restartServer', restart),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('antq.server')) void restart();
    }),
  );
  return restart();
}

function deactivate() {
  pending = pending.then(stopClient);
  return pending;
}

module.exports = { activate, deactivate };
