import type { JobWithMetadata } from 'pg-boss'
import { markImportFailed, runImport } from '../../../app/iocs/imports.server.ts'
import type { Services } from '../../../app/lib/context.server.ts'
import { log } from '../../../app/lib/log.server.ts'
import type { JobPayloads } from '../../registry.ts'

// Saves a confirmed import of indicators. runImport resumes after the last chunk that
// committed, so a retry (or a job re-run after its worker died) repeats nothing. After the last
// attempt the import is marked failed, so its page stops showing progress.
export async function importIndicators(services: Services, job: JobWithMetadata<JobPayloads['indicators.import']>): Promise<void> {
  try {
    await runImport(services, job.data.importId)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    log(services.env.LOG_LEVEL, 'error', 'indicator import failed', { importId: job.data.importId, attempt: job.retryCount, error: message })
    if (job.retryCount >= job.retryLimit) await markImportFailed(services, job.data.importId, 'iocs.import.errors.failed')
    throw error
  }
}
