// Copies the pinned GraphiQL assets (UMD builds + CSS) and their licences into the Python
// package, so GET /graphql serves a GraphiQL that needs no external URL.
//
//   npm --prefix frontend/graphiql ci && npm --prefix frontend/graphiql run vendor
//
// Output: src/renewals/web/static/graphiql/ (emptied first), with LICENSE.<package>.txt beside
// the files and VERSIONS.json (package -> version). Trailing sourceMappingURL comments are
// removed: the maps are not shipped, and the page must not request anything it does not need.

import { createRequire } from 'node:module';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = join(HERE, '..', '..', 'src', 'renewals', 'web', 'static', 'graphiql');

// package -> { source path inside the package: file name in OUT }
const PACKAGES = {
  react: { 'umd/react.production.min.js': 'react.production.min.js' },
  'react-dom': { 'umd/react-dom.production.min.js': 'react-dom.production.min.js' },
  graphiql: { 'graphiql.min.js': 'graphiql.min.js', 'graphiql.min.css': 'graphiql.min.css' },
  '@graphiql/plugin-explorer': {
    'dist/index.umd.js': 'plugin-explorer.umd.js',
    'dist/style.css': 'plugin-explorer.css',
  },
  'graphql-ws': { 'umd/graphql-ws.min.js': 'graphql-ws.min.js' },
};

// Packages whose tarball has no LICENSE file: [licence of, taken from]. @graphiql/plugin-explorer
// is MIT and lives in the graphiql monorepo, whose LICENSE graphiql ships.
const LICENCE_FROM = { '@graphiql/plugin-explorer': 'graphiql' };

// Code bundled inside a vendored UMD build that carries its own licence: [package, bundled in].
const BUNDLED = [['graphiql-explorer', '@graphiql/plugin-explorer']];

const slug = (name) => name.replace(/^@/, '').replace('/', '-');
const packageDir = (name, from = HERE) =>
  dirname(createRequire(join(from, 'package.json')).resolve(`${name}/package.json`));
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

function licenceFile(dir) {
  const found = readdirSync(dir).find((f) => /^(licen[cs]e)(\.md|\.txt)?$/i.test(f));
  return found && join(dir, found);
}

function copyLicence(name, dir, note = '') {
  const source = licenceFile(dir);
  if (!source) throw new Error(`${name}: no LICENSE file in ${dir}`);
  const target = `LICENSE.${slug(name)}.txt`;
  writeFileSync(join(OUT, target), note + readFileSync(source, 'utf8'));
  return target;
}

function stripSourceMap(text) {
  return text.replace(/\n?\/[/*][#@] sourceMappingURL=[^\n]*\s*$/, '\n');
}

const pinned = readJson(join(HERE, 'package.json')).dependencies;
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

const versions = {};
for (const [name, files] of Object.entries(PACKAGES)) {
  const dir = packageDir(name);
  const { version } = readJson(join(dir, 'package.json'));
  if (pinned[name] !== version) {
    throw new Error(`${name}: package.json pins ${pinned[name]}, node_modules has ${version}; run npm ci`);
  }
  versions[name] = version;
  for (const [source, target] of Object.entries(files)) {
    const path = join(dir, source);
    if (!existsSync(path)) throw new Error(`${name}@${version} has no ${source}`);
    if (/\.(js|css)$/.test(source)) {
      writeFileSync(join(OUT, target), stripSourceMap(readFileSync(path, 'utf8')));
    } else {
      copyFileSync(path, join(OUT, target));
    }
  }
  const from = LICENCE_FROM[name];
  if (from) {
    copyLicence(name, packageDir(from), `${name} ${version} ships no LICENSE file; it is MIT (see its package.json) and part of the ${from} repository, whose LICENSE follows.\n\n`);
  } else {
    copyLicence(name, dir);
  }
}

for (const [name, host] of BUNDLED) {
  const dir = packageDir(name, packageDir(host));
  const { version } = readJson(join(dir, 'package.json'));
  copyLicence(name, dir, `${name} ${version}, bundled in ${host}'s UMD build.\n\n`);
}

writeFileSync(join(OUT, 'VERSIONS.json'), JSON.stringify(versions, null, 2) + '\n');
for (const file of readdirSync(OUT).sort()) {
  console.log(relative(process.cwd(), join(OUT, file)));
}
