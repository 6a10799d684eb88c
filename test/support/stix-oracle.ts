import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { domainToASCII, fileURLToPath } from 'node:url'
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'

// The official OASIS STIX 2.1 JSON schemas (test/oracles/stix2.1, see its README) as the judge of
// what app/iocs/stix.ts emits: our own idea of STIX would only agree with itself. Every schema is
// registered under its own $id, so the relative $ref's between common/, sdos/, sros/ and
// observables/ resolve the way the schema authors wrote them, against each other and never the net.

const SCHEMA_ROOT = fileURLToPath(new URL('../oracles/stix2.1/schemas/', import.meta.url))
const SCHEMA_DIRECTORIES = ['common', 'sdos', 'sros', 'observables'] as const

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the module.
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule

interface StixSchema {
  $id: string
  title: string
}

function loadSchemas(): StixSchema[] {
  return SCHEMA_DIRECTORIES.flatMap((directory) =>
    readdirSync(join(SCHEMA_ROOT, directory))
      .filter((file) => file.endsWith('.json'))
      .map((file) => JSON.parse(readFileSync(join(SCHEMA_ROOT, directory, file), 'utf8')) as StixSchema),
  )
}

function buildOracle() {
  // strict: false because the OASIS schemas use draft-07 habits inside 2020-12 documents
  // ("definitions", a "description" beside a $ref) that Ajv's strict mode rejects as authoring
  // mistakes; they change nothing about what validates. unicodeRegExp: false because their patterns
  // escape characters that need no escape (`\-`), which only non-unicode regular expressions allow.
  // allErrors so a failure lists every problem.
  const ajv = new Ajv2020({ strict: false, unicodeRegExp: false, allErrors: true })
  addFormats(ajv)
  // domain-name.json asks for "idn-hostname", which ajv-formats does not implement (it would be
  // ignored with a warning): a name is one if its UTS #46 ASCII form is a hostname (RFC 1123).
  ajv.addFormat('idn-hostname', (name: string) => isAsciiHostname(domainToASCII(name)))
  const schemas = loadSchemas()
  for (const schema of schemas) ajv.addSchema(schema)
  const byType = new Map<string, ValidateFunction>()
  for (const schema of schemas) byType.set(schema.title, ajv.getSchema(schema.$id)!)
  return { ajv, byType }
}

function isAsciiHostname(name: string): boolean {
  const labels = name.split('.')
  return name.length > 0 && name.length <= 253 && labels.every((label) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i.test(label))
}

let oracle: ReturnType<typeof buildOracle> | undefined
const getOracle = () => (oracle ??= buildOracle())

export type StixSchemaError = Pick<ErrorObject, 'instancePath' | 'schemaPath' | 'message'>

function errorsOf(validate: ValidateFunction, value: unknown): StixSchemaError[] {
  if (validate(value)) return []
  return (validate.errors ?? []).map(({ instancePath, schemaPath, message }) => ({ instancePath, schemaPath, message }))
}

/** One STIX object against the schema of its `type`; an object of a type with no schema is an error. */
export function validateStixObject(obj: unknown): StixSchemaError[] {
  const type = typeof obj === 'object' && obj !== null ? (obj as { type?: unknown }).type : undefined
  const validate = typeof type === 'string' ? getOracle().byType.get(type) : undefined
  if (!validate) return [{ instancePath: '/type', schemaPath: '', message: `no OASIS schema for type ${JSON.stringify(type)}` }]
  return errorsOf(validate, obj)
}

/**
 * A whole bundle against bundle.json, and then each object against its own schema: bundle.json
 * accepts any object shaped like a custom object, so a broken indicator could pass as one there.
 */
export function validateStixBundle(bundle: unknown): StixSchemaError[] {
  const errors = errorsOf(getOracle().byType.get('bundle')!, bundle)
  const objects = typeof bundle === 'object' && bundle !== null ? (bundle as { objects?: unknown }).objects : undefined
  if (Array.isArray(objects)) {
    objects.forEach((obj, index) => {
      for (const error of validateStixObject(obj)) errors.push({ ...error, instancePath: `/objects/${index}${error.instancePath}` })
    })
  }
  return errors
}
