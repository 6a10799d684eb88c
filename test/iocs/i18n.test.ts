import { describe, expect, test } from 'vitest'
import { createI18n } from '../../app/i18n/i18n.ts'
import { INDICATOR_TYPES, INVALID_REASONS } from '../../app/iocs/normalise.ts'
import { builtinWarninglists } from '../../app/iocs/warninglists.ts'

// Every reason the normaliser gives, every type and every shipped warninglist has words in both
// languages: the preview shows them line by line.
describe.each(['vi', 'en'] as const)('indicator wording in %s', (lang) => {
  const { t, exists } = createI18n(lang)
  test.each([...INVALID_REASONS])('invalid reason %s', (reason) => {
    expect(exists(`iocs.validation.${reason}`)).toBe(true)
  })
  test.each([...INDICATOR_TYPES])('type %s', (type) => {
    expect(exists(`iocs.types.${type}`)).toBe(true)
  })
  test.each(builtinWarninglists.map((l) => l.id))('warninglist %s', (id) => {
    expect(t(`iocs.warninglists.${id}`)).not.toBe(`iocs.warninglists.${id}`)
  })
})
