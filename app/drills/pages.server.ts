import { data } from '@remix-run/node'
import type { FormFailure } from '../lib/forms.ts'
import { failure } from '../lib/route.server.ts'
import { DRILL_LIST_FIELDS } from './schemas.ts'

// The drill form's failure: the house's `failure` (403/404 thrown, 4xx with field errors and kept
// input), plus every value of the repeated fields (checkbox groups, session rows), which a plain
// kept-values map cannot hold.

export interface DrillFormFailure extends FormFailure {
  lists: Record<string, string[]>
}

export function drillFailure(error: unknown, form: FormData) {
  const result = failure(error, form)
  const lists = Object.fromEntries(DRILL_LIST_FIELDS.map((name) => [name, form.getAll(name).filter((v): v is string => typeof v === 'string')]))
  const body: DrillFormFailure = { ...result.data, lists }
  return data(body, result.init ?? undefined)
}
