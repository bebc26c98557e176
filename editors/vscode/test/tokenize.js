#!/usr/bin/env node
// Tokenizes .antq files with the extension's TextMate grammar, as VS Code would,
// and prints JSON: {"grammar": scopeName, "files": {path: [[{text, scopes}, ...], ...]}}
// (a list of lines, each a list of tokens that together make up the line).
//
// Usage: node tokenize.js FILE...      (or the file names, one a line, on stdin)
// Needs `npm ci` in this folder (vscode-textmate, vscode-oniguruma).
'use strict';

const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const GRAMMAR = path.join(__dirname, '..', 'syntaxes', 'antq.tmLanguage.json');
const SCOPE = 'source.antq';

async function loadGrammar() {
  const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) =>
      scopeName === SCOPE ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, 'utf8'), GRAMMAR) : null,
  });
  const grammar = await registry.loadGrammar(SCOPE);
  if (!grammar) throw new Error(`cannot load ${GRAMMAR}`);
  return grammar;
}

function tokenizeText(grammar, text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let stack = vsctm.INITIAL;
  const lines = [];
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const result = grammar.tokenizeLine(line, stack, 5000);
    if (result.stoppedEarly) throw new Error('tokenizing stopped early (time limit)');
    lines.push(
      result.tokens
        .filter((t) => t.startIndex < line.length)
        .map((t) => ({ text: line.slice(t.startIndex, Math.min(t.endIndex, line.length)), scopes: t.scopes })),
    );
    stack = result.ruleStack;
  }
  return lines;
}

async function main() {
  let files = process.argv.slice(2);
  if (files.length === 0) {
    files = fs.readFileSync(0, 'utf8').split('\n').map((s) => s.trim()).filter(Boolean);
  }
  const grammar = await loadGrammar();
  const out = { grammar: SCOPE, files: {} };
  for (const file of files) {
    out.files[file] = tokenizeText(grammar, fs.readFileSync(file, 'utf8'));
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
