import { Button, EmailLayout, TlpLabel } from './_components/layout.tsx'
import { eventTypeLabel, fill, MESSAGES } from './messages.ts'
import { toHtml, toText } from './render.tsx'
import { detailsAllowedByEmail, type EmailContext, type RenderedEmail, type TlpLabel as Tlp } from './types.ts'

// Any other domain event (role changed, and later incident, indicator and drill events).
export interface EventProps {
  eventType: string
  /** Readable reference of the object (e.g. IR-2026-000123), shown whatever the TLP. */
  reference: string | null
  /** Title and summary: only sent when the TLP allows email (CLEAR, GREEN, or unlabelled). */
  title: string | null
  summary: string | null
  tlp: Tlp | null
  link: string
  occurredAt: string
  actorName: string | null
  organisationName: string | null
  /** Incident mails start with the network's [TBSC] prefix (Circular 20/2017). */
  incident: boolean
}

export function renderEvent(p: EventProps, ctx: EmailContext): RenderedEmail {
  const m = MESSAGES[ctx.locale]
  const label = eventTypeLabel(ctx.locale, p.eventType)
  const open = detailsAllowedByEmail(p.tlp)
  const headline = open && p.title ? `${label}: ${p.title}` : [label, p.reference].filter(Boolean).join(': ')
  const subject = `${p.incident ? '[TBSC] ' : ''}${p.tlp ? `[TLP:${p.tlp}] ` : ''}${headline}`
  const withheld = p.tlp && !open ? fill(m.tlpWithheld, { tlp: `TLP:${p.tlp}` }) : null
  const facts: [string, string][] = [
    ...(p.reference ? ([[m.reference, p.reference]] as [string, string][]) : []),
    [m.when, ctx.formatTime(p.occurredAt)],
    ...(open && p.actorName ? ([[m.by, p.actorName]] as [string, string][]) : []),
    ...(open && p.organisationName ? ([[m.organisation, p.organisationName]] as [string, string][]) : []),
  ]
  return {
    subject,
    text: toText([
      p.tlp ? `TLP:${p.tlp}` : null,
      headline,
      facts.map(([k, v]) => `${k}: ${v}`).join('\n'),
      open ? p.summary : withheld,
      `${m.openInApp}: ${p.link}`,
      '— ' + m.footer,
    ]),
    html: toHtml(
      <EmailLayout lang={ctx.locale} heading={headline} footer={m.footer}>
        {p.tlp ? (
          <p>
            <TlpLabel tlp={p.tlp} />
          </p>
        ) : null}
        <table cellPadding={4}>
          <tbody>
            {facts.map(([k, v]) => (
              <tr key={k}>
                <th align="left">{k}</th>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {open && p.summary ? <p>{p.summary}</p> : null}
        {withheld ? <p>{withheld}</p> : null}
        <Button href={p.link}>{m.openInApp}</Button>
      </EmailLayout>,
    ),
  }
}

export const previewEvent: EventProps = {
  eventType: 'user.role_changed',
  reference: null,
  title: 'Cán bộ ứng cứu → Quản trị tổ chức',
  summary: null,
  tlp: null,
  link: 'http://localhost:3000/account',
  occurredAt: '2026-11-22T07:00:00Z',
  actorName: 'Quản trị hệ thống',
  organisationName: 'Sở TT&TT Nam Định',
  incident: false,
}
