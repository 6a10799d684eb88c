import path from 'node:path'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

// The layering (route → domain module → db) is enforced by eslint.config.js; these cases
// prove the rule fires where it should and stays quiet where server code legitimately
// reaches the database. The snippets use what they import, so only the boundary rule speaks.
const root = path.resolve(import.meta.dirname, '../..')
const eslint = new ESLint({ cwd: root, overrideConfigFile: path.join(root, 'eslint.config.js') })
const RULE = '@typescript-eslint/no-restricted-imports'

async function boundaryErrors(filePath: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) })
  return result!.messages.filter((m) => m.ruleId === RULE || m.fatal).map((m) => m.message)
}

const dbValueImport = (from: string) => `import { openDatabase } from '${from}'\nexport const open = openDatabase\n`
const dbTypeImport = (from: string) => `import type { Database } from '${from}'\nexport type Db = Database\n`

describe('the import boundaries of eslint.config.js', () => {
  it('refuse a route module that imports the database client', async () => {
    const errors = await boundaryErrors('app/routes/x.tsx', dbValueImport('../../db/client.ts'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/Route modules never import db\//)
  })

  it('allow the same import in a domain module named *.server.ts', async () => {
    expect(await boundaryErrors('app/orgs/x.server.ts', dbValueImport('../../db/client.ts'))).toEqual([])
  })

  it('allow it in the Node entry point under app/server/', async () => {
    expect(await boundaryErrors('app/server/x.ts', dbValueImport('../../db/client.ts'))).toEqual([])
  })

  it('refuse even a type-only import of db/ in a route module', async () => {
    expect(await boundaryErrors('app/routes/orgs.$id.tsx', dbTypeImport('../../db/client.ts'))).toHaveLength(1)
  })

  it('refuse a route-folder helper named *.server.ts that imports db/', async () => {
    expect(await boundaryErrors('app/routes/helpers.server.ts', dbValueImport('../../db/client.ts'))).toHaveLength(1)
  })

  it('refuse a route module that imports the job workers', async () => {
    const code = `import * as queue from '../../workers/queue.ts'\nexport const q = queue\n`
    expect(await boundaryErrors('app/routes/x.tsx', code)).toHaveLength(1)
  })

  it('refuse a value import of db/ in shared app code that could reach the browser bundle', async () => {
    const errors = await boundaryErrors('app/components/x.tsx', dbValueImport('../../db/client.ts'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/Only server modules/)
    expect(await boundaryErrors('app/x.ts', dbValueImport('../db/client.ts'))).toHaveLength(1)
  })

  it('allow a type-only import of db/ in shared app code, since it is erased at build time', async () => {
    expect(await boundaryErrors('app/components/x.tsx', dbTypeImport('../../db/client.ts'))).toEqual([])
  })

  it('refuse db/ importing from app/, by relative path or by the ~ alias', async () => {
    expect(await boundaryErrors('db/x.ts', `import { calendarDate } from '../app/lib/dates.ts'\nexport const d = calendarDate\n`)).toHaveLength(1)
    expect(await boundaryErrors('db/schema/x.ts', `import { calendarDate } from '~/lib/dates.ts'\nexport const d = calendarDate\n`)).toHaveLength(1)
  })

  it('leave db/ importing its own modules alone', async () => {
    expect(await boundaryErrors('db/x.ts', `import { users } from './schema/index.ts'\nexport const u = users\n`)).toEqual([])
  })
})
