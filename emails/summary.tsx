import { Button, EmailLayout, TlpLabel } from './_components/layout.tsx'
import { eventTypeLabel, fill, MESSAGES } from './messages.ts'
import { toHtml, toText } from './render.tsx'
import { detailsAllowedByEmail, type EmailContext, type RenderedEmail, type TlpLabel as Tlp } from './types.ts'

export interface SummaryItem {
  eventType: string
  reference: string | null
  title: string | null
  tlp: Tlp | null
  link: string
  occurredAt: string
}

/** One message standing for several (flood control) or for a day (digest). */
export interface SummaryProps {
  kind: 'summary' | 'digest'
  eventType: string | null
  date: string | null
  items: SummaryItem[]
  link: string
  incident: boolean
}

// What one item may say by email: its title only when its TLP allows, else its reference.
function describe(item: SummaryItem, ctx: EmailContext) {
  const label = eventTypeLabel(ctx.locale, item.eventType)
  const what = detailsAllowedByEmail(item.tlp) && item.title ? item.title : (item.reference ?? label)
  return `${ctx.formatTime(item.occurredAt)} — ${label}: ${what}`
}

function line(item: SummaryItem, ctx: EmailContext) {
  return `${item.tlp ? `TLP:${item.tlp} ` : ''}${describe(item, ctx)}`
}

export function renderSummary(p: SummaryProps, ctx: EmailContext): RenderedEmail {
  const m = MESSAGES[ctx.locale]
  const type = p.eventType ? eventTypeLabel(ctx.locale, p.eventType) : ''
  const count = p.items.length
  const subject =
    (p.incident ? '[TBSC] ' : '') +
    (p.kind === 'summary' ? fill(m.summary.subject, { count, type }) : fill(m.digest.subject, { count, date: p.date ?? '' }))
  const intro = p.kind === 'summary' ? fill(m.summary.intro, { count, type }) : m.digest.intro
  return {
    subject,
    text: toText([intro, p.items.map((i) => `- ${line(i, ctx)}\n  ${i.link}`).join('\n'), `${m.openInApp}: ${p.link}`, '— ' + m.footer]),
    html: toHtml(
      <EmailLayout lang={ctx.locale} heading={subject} footer={m.footer}>
        <p>{intro}</p>
        <ul>
          {p.items.map((item, i) => (
            <li key={i}>
              {item.tlp ? <TlpLabel tlp={item.tlp} /> : null} <a href={item.link}>{describe(item, ctx)}</a>
            </li>
          ))}
        </ul>
        <Button href={p.link}>{m.openInApp}</Button>
      </EmailLayout>,
    ),
  }
}
