import { data } from '@remix-run/node'
import type { FormFailure } from '../lib/forms.ts'
import { failure } from '../lib/route.server.ts'
import { IllegalTransitionError } from './incidents.server.ts'
import { INCIDENT_LIST_FIELDS } from './schemas.ts'

// The incident pages' form failure: the house's `failure` (403/404 thrown, 4xx with field errors
// and kept input), plus what the incident forms need on top — every value of the list fields
// (checkbox groups, the recipients multi-select), which a plain kept-values map cannot hold, and
// the statuses of a refused transition so the message can name them.

export interface IncidentFormFailure extends FormFailure {
  lists: Record<string, string[]>
  transition?: { from: string; to: string; transition: string }
}

export function incidentFailure(error: unknown, form: FormData) {
  const result = failure(error, form)
  const lists = Object.fromEntries(
    INCIDENT_LIST_FIELDS.map((name) => [name, form.getAll(name).filter((v): v is string => typeof v === 'string')]),
  )
  const body: IncidentFormFailure = {
    ...result.data,
    lists,
    transition: error instanceof IllegalTransitionError ? { from: error.from, to: error.to, transition: error.transition } : undefined,
  }
  return data(body, result.init ?? undefined)
}
