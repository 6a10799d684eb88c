import { renderToStaticMarkup } from 'react-dom/server'
import type { ReactElement } from 'react'

export function toHtml(element: ReactElement): string {
  return `<!DOCTYPE html>${renderToStaticMarkup(element)}`
}

/** Plain-text part: paragraphs separated by blank lines, links written out. */
export function toText(blocks: (string | null | undefined | false)[]): string {
  return blocks.filter((b): b is string => typeof b === 'string' && b.length > 0).join('\n\n') + '\n'
}
