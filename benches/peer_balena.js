#!/usr/bin/env node
// Peer: a build-context walk filtered with @balena/dockerignore (the matcher
// used by balena-cli and others), the way a Node tool would do it.
//
//   node peer_balena.js TREE [--no-ignore] [--detail]
//
// Reads TREE/.dockerignore (unless --no-ignore), walks the tree with
// fs.readdirSync(withFileTypes), never following symlinks, and keeps each
// entry that ignores() does not match. Like Docker and docker-py, an
// excluded directory is skipped whole unless an exception pattern ('!...')
// starts with its path. Prints the number of kept paths (directories
// included); --detail also prints the number of kept non-directories.
'use strict';
const fs = require('fs');
const path = require('path');

const modDir = process.env.BALENA_DOCKERIGNORE ||
  path.join(__dirname, '.tools', 'node', 'node_modules', '@balena', 'dockerignore');
const ignore = require(modDir);

const args = process.argv.slice(2);
const root = args[0];
let patterns = [];
if (!args.includes('--no-ignore')) {
  try {
    patterns = fs.readFileSync(path.join(root, '.dockerignore'), 'utf8').split(/\r?\n/);
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
  }
}
const ig = ignore({ ignorecase: false }).add(patterns);
const exceptions = patterns.map((p) => p.trim()).filter((p) => p.startsWith('!'))
  .map((p) => p.slice(1).replace(/^\/+/, ''));

function canSkip(rel) {
  return !exceptions.some((e) => e.startsWith(rel));
}

let kept = 0;
let keptFiles = 0;
const stack = [''];
while (stack.length) {
  const relDir = stack.pop();
  const entries = fs.readdirSync(relDir ? path.join(root, relDir) : root, { withFileTypes: true });
  for (const ent of entries) {
    const rel = relDir ? relDir + '/' + ent.name : ent.name;
    const excluded = ig.ignores(rel);
    if (!excluded) {
      kept++;
      if (!ent.isDirectory()) keptFiles++;
    }
    if (ent.isDirectory() && (!excluded || !canSkip(rel))) stack.push(rel);
  }
}
if (args.includes('--detail')) console.log(`paths=${kept} files=${keptFiles}`);
else console.log(kept);
