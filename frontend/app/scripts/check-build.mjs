// `npm run check-build`: proves that the committed build (src/renewals/web/static/app) and the
// committed generated types (src/gql) are exactly what these sources make. It builds into a
// temporary directory, compares byte for byte, and exits 1 naming every file that differs.
// Nothing in the repository is written.

import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generate } from '@graphql-codegen/cli'
import { build } from 'vite'

const APP = resolve(fileURLToPath(import.meta.url), '../..')
const COMMITTED = resolve(APP, '../../src/renewals/web/static/app')
const FIX = "the committed build does not match frontend/app's sources: run npm --prefix frontend/app run build"

/** Relative path -> contents of every file under `dir` (none if it does not exist). */
function files(dir) {
  if (!existsSync(dir)) return new Map()
  return new Map(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
      .map((path) => [relative(dir, path), readFileSync(path)]),
  )
}

/** Every difference between two maps of files, as "path: what". */
function differences(expected, actual) {
  const problems = []
  for (const [path, content] of expected) {
    if (!actual.has(path)) problems.push(`${path}: missing from the commit`)
    else if (!content.equals(actual.get(path))) problems.push(`${path}: differs`)
  }
  for (const path of actual.keys()) if (!expected.has(path)) problems.push(`${path}: not made by the build (stale)`)
  return problems.sort()
}

// 1. The generated types, in memory, against src/gql.
const config = JSON.parse(readFileSync(join(APP, 'codegen.json'), 'utf8'))
const generated = await generate({ ...config, cwd: APP, silent: true }, false)
const gqlProblems = differences(
  new Map(
    generated.map((out) => [relative(join(APP, 'src/gql'), resolve(APP, out.filename)), Buffer.from(out.content)]),
  ),
  files(join(APP, 'src/gql')),
).map((p) => `frontend/app/src/gql/${p}`)

// 2. The types check.
const tsc = spawnSync(join(APP, 'node_modules/.bin/tsc'), ['--noEmit'], { cwd: APP, stdio: 'inherit' })
const tscProblems = tsc.status === 0 ? [] : ['tsc --noEmit failed (see above)']

// 3. The build, into a temporary directory, against the committed one.
const out = mkdtempSync(join(tmpdir(), 'renewals-app-build-'))
let buildProblems
try {
  await build({ root: APP, logLevel: 'warn', build: { outDir: out, emptyOutDir: true } })
  buildProblems = differences(files(out), files(COMMITTED)).map((p) => `src/renewals/web/static/app/${p}`)
} finally {
  rmSync(out, { recursive: true, force: true })
}

const problems = [...gqlProblems, ...tscProblems, ...buildProblems]
if (problems.length) {
  console.error(`check-build: ${FIX}\n${problems.map((p) => `  - ${p}`).join('\n')}`)
  process.exit(1)
}
console.log("check-build: the committed build (src/renewals/web/static/app) matches frontend/app's sources.")
