import { PassThrough, Writable, type Transform } from 'node:stream'
import { createElement, Suspense } from 'react'
import { renderToPipeableStream } from 'react-dom/server'
import { describe, expect, test } from 'vitest'
import { withoutNulBytes } from '../../app/lib/html-stream.server.ts'

// React 18's streaming renderer leaks NUL bytes where a multi-byte character meets its 2 kB
// buffer's end (facebook/react#31134); app/entry.server.tsx pipes every page through
// withoutNulBytes. These render real Vietnamese pages with the renderer the server uses.

// Many short texts, as a page's cells and labels are: each is its own small write into the
// renderer's buffer, which is where the bug lives (one long text is written past the buffer).
const page = (shift: number) =>
  createElement(Suspense, { fallback: null }, createElement('main', null, createElement('p', null, 'x'.repeat(shift)), ...LINES.map((line, i) => createElement('p', { key: i }, line))))
const LINES = Array.from({ length: 400 }, (_, i) => `Nhập một số nguyên dương ${i} (tối đa 10.000)`)

async function render(shift: number, through: () => Transform = () => new PassThrough()): Promise<Buffer> {
  const chunks: Buffer[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk)
      done()
    },
  })
  await new Promise<void>((resolve, reject) => {
    const { pipe } = renderToPipeableStream(page(shift), {
      onAllReady() {
        const stream = through()
        stream.pipe(sink).on('finish', resolve).on('error', reject)
        pipe(stream)
      },
      onShellError: reject,
    })
  })
  return Buffer.concat(chunks)
}

/** Shifts that move the multi-byte letters across every offset of the renderer's buffer. */
const shifts = [0, 1, 2, 3, 4, 5]

describe('pages streamed by React 18', () => {
  test('carry stray NUL bytes without the filter (the bug is still there to work around)', async () => {
    const raw = await Promise.all(shifts.map((shift) => render(shift)))
    expect(raw.some((bytes) => bytes.includes(0))).toBe(true)
  })

  test('carry none through it, and every letter survives', async () => {
    for (const shift of shifts) {
      const bytes = await render(shift, withoutNulBytes)
      expect(bytes.includes(0)).toBe(false)
      const html = bytes.toString('utf8')
      expect(html).not.toContain('\uFFFD')
      for (const line of LINES) expect(html).toContain(`<p>${line}</p>`)
    }
  })

  test('the filter drops NUL bytes only', async () => {
    const filter = withoutNulBytes()
    const out: Buffer[] = []
    filter.on('data', (chunk: Buffer) => out.push(chunk))
    filter.end(Buffer.concat([Buffer.from('số', 'utf8'), Buffer.from([0, 0]), Buffer.from('ố', 'utf8')]))
    await new Promise((resolve) => filter.on('end', resolve))
    expect(Buffer.concat(out).toString('utf8')).toBe('sốố')
  })
})
