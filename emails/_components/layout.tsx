import type { ReactNode } from 'react'

// The shared frame of every email: plain, table-free, readable in any client. Inline styles are
// the only styles mail clients honour. Text is escaped by React; links come from the app's URL.
export function EmailLayout({ lang, heading, children, footer }: { lang: string; heading: string; children: ReactNode; footer: string }) {
  return (
    <html lang={lang}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width" />
        <title>{heading}</title>
      </head>
      <body style={{ margin: 0, padding: '24px', background: '#f3f5f8', fontFamily: 'Arial, Helvetica, sans-serif', color: '#1b2330' }}>
        <div style={{ maxWidth: '560px', margin: '0 auto', background: '#ffffff', border: '1px solid #d6dbe2', borderRadius: '6px' }}>
          <div style={{ background: '#0b3d6e', color: '#ffffff', padding: '12px 20px', fontWeight: 700 }}>CSIRT Net</div>
          <div style={{ padding: '20px' }}>
            <h1 style={{ fontSize: '20px', margin: '0 0 16px' }}>{heading}</h1>
            {children}
          </div>
          <div style={{ padding: '12px 20px', fontSize: '12px', color: '#5a6472', borderTop: '1px solid #d6dbe2' }}>{footer}</div>
        </div>
      </body>
    </html>
  )
}

export function Button({ href, children }: { href: string; children: ReactNode }) {
  return (
    <p style={{ margin: '20px 0' }}>
      <a href={href} style={{ background: '#0b3d6e', color: '#ffffff', padding: '10px 18px', borderRadius: '4px', textDecoration: 'none', fontWeight: 700 }}>
        {children}
      </a>
    </p>
  )
}

export function TlpLabel({ tlp }: { tlp: string }) {
  const colour: Record<string, string> = { RED: '#ff2b2b', 'AMBER+STRICT': '#ffc000', AMBER: '#ffc000', GREEN: '#33ff00', CLEAR: '#ffffff' }
  return (
    <span style={{ background: '#000000', color: colour[tlp] ?? '#ffffff', fontFamily: 'monospace', fontWeight: 700, padding: '1px 6px', borderRadius: '3px' }}>
      TLP:{tlp}
    </span>
  )
}
